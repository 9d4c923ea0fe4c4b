"""Demo card register: fictional card holders covering every case a newcomer wants to try —
workers from the nine covered countries, exempt people (citizens of Belarus, a diplomat, a
member of a diplomat's family, staff of an international organisation, a minor with a card of
her own), children registered under a parent, a lost card, a revoked card and an expired one.

Loaded through the same importer as a real register file (idempotent). Codes for sign-in go to
the local SMS gateway: the console of `amina serve` and the page /dev/sms. Not in production.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.console import Console

from amina.adapters.external.card_register import CardRegisterFile
from amina.bootstrap import Container
from amina.services.errors import AminaError
from amina.services.identity.card_import import import_cards
from amina.services.identity.cards import card_numbered
from amina.services.identity.enrolment import (
    NewDependant,
    add_dependant,
    dependants,
    person_for_card,
)

#: The demo register, in the register's own CSV format (``amina import cards`` reads it too).
DEMO_REGISTER = Path(__file__).resolve().parents[1] / "data" / "demo_cards.csv"

#: The parent who has children registered under their account, and the children.
PARENT_CARD = "7725000001"
CHILDREN = (
    NewDependant("Karimov", "Amir", "Каримов", "Амир", date(2015, 9, 1), "UZ"),
    NewDependant("Karimova", "Sevara", "Каримова", "Севара", date(2019, 2, 14), "UZ"),
)

#: What to try first, shown after loading.
HIGHLIGHTS = (
    ("7725000001", "UZ, works in Moscow: must use Amina; two children under his account"),
    ("7725000004", "TJ, works in Moscow: must use Amina"),
    ("7725000022", "Belarus: exempt"),
    ("7725000024", "diplomat: exempt"),
    ("7725000003", "card LOST: sign in by passport UZ AC3456789"),
    ("7725000006", "card REVOKED: gets the same answer as an unknown card, no code"),
)


def load_demo_cards(container: Container, console: Console) -> None:
    if container.settings.is_production:
        console.print("[yellow]The demo card register is not loaded in production.[/]")
        return
    register = CardRegisterFile(DEMO_REGISTER)
    report = import_cards(container.uow, container.clock, register)
    with container.uow() as uow:
        parent = card_numbered(uow, PARENT_CARD)
        assert parent is not None
        person = person_for_card(uow, parent, container.clock.now(), "ru")
        uow.commit()
    if not dependants(container.uow, person.id):
        try:
            with container.uow() as uow:
                for child in CHILDREN:
                    add_dependant(uow, container.clock, person.id, child)
                uow.commit()
        except AminaError as error:  # e.g. a --clock before Amina's first phase
            console.print(f"[yellow]Demo children not added: {error.code}[/]")
    born = {
        str(line.fields["card_number"]): str(line.fields["date_of_birth"])
        for line in register.lines()
        if line.fields
    }
    console.print(
        f"[bold]Demo card register[/] — {report.records} card holders "
        f"({report.inserted} new, {report.updated} updated, {report.unchanged} unchanged)"
    )
    console.print(f"  {'card number':<12} {'date of birth':<14} who", highlight=False)
    for number, who in HIGHLIGHTS:
        console.print(f"  {number:<12} {born[number]:<14} {who}", highlight=False, soft_wrap=True)
    console.print(
        "Sign in at /app with a card number and date of birth; the one-time code is printed "
        "here by `amina serve` and listed at /dev/sms. Every demo card: amina/data/demo_cards.csv."
    )
