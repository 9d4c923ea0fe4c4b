"""The demo data gives people with registrations, and the slip code the README shows works on
/verify right away — and belongs to another person than the one the README signs in with, so
that trying a change of address does not break it."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from rich.console import Console

from amina.bootstrap import Container
from amina.demo.loader import load_demo
from amina.services.identity.cards import card_numbered
from amina.services.identity.enrolment import person_for_card
from amina.services.registration.registrations import registrations_of

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
    assert answer.json()["address"] == "Москва, Ленинский просп., д. 30, кв. 7"
    printed = console.export_text()
    assert code.group(1) in printed
    assert printed.count(code.group(1)) == 2  # once per load: the same registration
    assert " closed " in printed  # the person who changed address


def test_the_readmes_slip_code_is_not_of_the_person_the_readme_signs_in_with(
    container: Container,
) -> None:
    text = README.read_text(encoding="utf-8")
    code = re.search(r"demo slip code `([0-9A-Z-]+)`", text)
    signs_in = re.search(r"sign in with a demo card, e\.g\. card number\s+`(\d+)`", text)
    assert code is not None
    assert signs_in is not None

    load_demo(container, Console(record=True, width=200))

    with container.uow() as uow:
        card = card_numbered(uow, signs_in.group(1))
        assert card is not None
        person_id = person_for_card(uow, card, container.clock.now(), "ru").id
        theirs = {r.slip_code.replace("-", "") for r in registrations_of(uow, person_id)}
    assert theirs, "the README's person has a demo registration to change"
    assert code.group(1).replace("-", "") not in theirs
