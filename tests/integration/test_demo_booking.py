"""The demo data gives visits to the migration centre, and the ticket code the README shows can
be checked in by the demo operator right away."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from rich.console import Console
from staff_login import StaffLogin

from amina.bootstrap import Container
from amina.demo.loader import load_demo

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readmes_demo_ticket_code_is_found_at_the_check_in_after_loading_the_demo(
    client: TestClient, container: Container, sign_in_staff: Callable[[str], StaffLogin]
) -> None:
    code = re.search(r"demo ticket code `([0-9A-Z-]+)`", README.read_text(encoding="utf-8"))
    assert code is not None, "README.md shows no demo ticket code"
    console = Console(record=True, width=300)
    load_demo(container, console)
    load_demo(container, console)  # idempotent: the same visits the second time
    sign_in_staff("operator")

    found = client.get(f"/api/v1/staff/booking/tickets/{code.group(1)}")

    assert found.status_code == 200, found.text
    assert found.json()["booking"]["service"] == "card_issuance"
    assert found.json()["name_latin"] == "Karimov Aziz"
    assert console.export_text().count(code.group(1)) == 2
