"""The demo data gives people with registrations, and the slip code the README shows works on
/verify right away."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from rich.console import Console

from amina.bootstrap import Container
from amina.demo.loader import load_demo

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readmes_demo_slip_code_is_valid_on_verify_after_loading_the_demo(
    client: TestClient, container: Container
) -> None:
    code = re.search(r"demo slip code `([0-9A-Z-]+)`", README.read_text(encoding="utf-8"))
    assert code is not None, "README.md shows no demo slip code"

    console = Console(record=True, width=200)
    load_demo(container, console)
    load_demo(container, console)  # idempotent: nothing new the second time

    answer = client.get(f"/api/v1/verify/{code.group(1)}")
    assert answer.status_code == 200
    assert answer.json()["status"] == "valid"
    assert answer.json()["address"] == "Москва, ул. Тверская, д. 7, кв. 12"
    printed = console.export_text()
    assert code.group(1) in printed
    assert printed.count(code.group(1)) == 2  # once per load: the same registration
    assert " closed " in printed  # the person who changed address
