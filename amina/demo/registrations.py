"""Demo registrations of the place of stay: several demo card holders (amina/demo/cards.py) have
an active registration in Moscow or Moscow Oblast, one of them after an address change (so
the closed registration and its event show too). Submitted through the same use case as the
app's, so every check (region, border, stay, host) applies.

Slip codes are drawn from fixed seeds, so they are the same on every machine and the README can
print one to try at /verify: that of card 7725000014, whom the README does not sign in with (a
change of address tried as the README's person leaves it valid). Idempotent: a person who
already has a registration is left alone. Not in production.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from rich.console import Console

from amina.adapters.external.boundaries import region_classifier
from amina.bootstrap import Container
from amina.domain.address import Address, format_address
from amina.domain.calendar import moscow_date
from amina.domain.host import Host, HostKind
from amina.domain.slip import grouped
from amina.services.errors import AminaError
from amina.services.identity.cards import card_numbered
from amina.services.identity.enrolment import dependants, person_for_card
from amina.services.registration.registrations import (
    RegistrationApplication,
    registration_of,
    registrations_of,
    submit_registration,
)

SEED = "amina-demo-registration"


@dataclass(frozen=True)
class DemoStay:
    card_number: str
    language: str
    address: Address
    host: Host
    purpose: str = "work"
    with_children: bool = False
    changes_address: bool = False  # closes the person's registration from an earlier step


TVERSKAYA = Address("RU-MOW", "Москва", "ул. Тверская", "7", None, "12", None, 55.7577, 37.6116)
KHIMKI = Address("RU-MOS", "Химки", "Ленинградская ул.", "16", None, "58", None, 55.9020, 37.4420)
PODOLSK = Address("RU-MOS", "Подольск", "ул. Кирова", "10", "2", "41", None, 55.4260, 37.5560)
LENINSKY = Address("RU-MOW", "Москва", "Ленинский просп.", "30", None, "7", None, 55.7069, 37.5870)
PROFSOYUZNAYA = Address(
    "RU-MOW", "Москва", "ул. Профсоюзная", "56", None, "103", None, 55.6700, 37.5520
)
BALASHIKHA = Address(
    "RU-MOS", "Балашиха", "просп. Ленина", "32", None, "15", None, 55.7963, 37.9382
)

LANDLADY = Host(HostKind.person, "Иванова Мария Петровна", "4510 123456", None)
BUILDER = Host(HostKind.organisation, "ООО «Стройтехмонтаж»", None, "7707083893")
LANDLORD = Host(HostKind.person, "Смирнов Алексей Викторович", "4608 654321", None)

#: Who gets which registration. 7725000014's slip code is the README's.
STAYS: tuple[DemoStay, ...] = (
    DemoStay("7725000001", "uz", TVERSKAYA, LANDLADY, with_children=True),
    DemoStay("7725000004", "tg", KHIMKI, BUILDER),
    DemoStay("7725000010", "hy", PODOLSK, BUILDER),
    DemoStay("7725000014", "ka", LENINSKY, LANDLORD),
)
#: A person who moved: first Profsoyuznaya street (closed), now Balashikha.
MOVER = "7725000016"


def _random_source(name: str) -> random.Random:
    # Demo data only: a seeded generator so that the demo slip codes are the same everywhere
    # (real slip codes come from the secrets module).
    return random.Random(f"{SEED}:{name}")


def load_demo_registrations(container: Container, console: Console) -> None:
    if container.settings.is_production:
        console.print("[yellow]Demo registrations are not loaded in production.[/]")
        return
    today = moscow_date(container.clock.now())
    made: list[tuple[str, str]] = []  # (person id, registration id)
    moves = [(stay, stay.card_number) for stay in STAYS]
    moves += [
        (DemoStay(MOVER, "az", PROFSOYUZNAYA, LANDLORD), f"{MOVER}-old"),
        (DemoStay(MOVER, "az", BALASHIKHA, LANDLADY, changes_address=True), f"{MOVER}-new"),
    ]
    for stay, seed in moves:
        try:
            registration = _register(container, stay, seed, today)
        except AminaError as error:  # e.g. a --clock outside the demo cards' validity
            console.print(
                f"[yellow]Demo registration for {stay.card_number} not made: {error.code}[/]"
            )
            continue
        if registration is not None:
            made.append(registration)
    console.print("[bold]Demo registrations[/] — slip codes to try at /verify:")
    with container.uow() as uow:
        for person_id, registration_id in made:
            shown = registration_of(uow, person_id, registration_id)
            console.print(
                f"  {grouped(shown.slip_code):<17} {shown.number:<16} {shown.status.value:<8} "
                f"{format_address(shown.address)}",
                highlight=False,
                soft_wrap=True,
            )


def _register(
    container: Container, stay: DemoStay, seed: str, today: date
) -> tuple[str, str] | None:
    with container.uow() as uow:
        card = card_numbered(uow, stay.card_number)
        if card is None:
            return None
        person = person_for_card(uow, card, container.clock.now(), stay.language)
        uow.commit()
    with container.uow() as uow:
        existing = registrations_of(uow, person.id)
    wanted = stay.address
    done = next((r for r in existing if r.address == wanted), None)
    if done is not None:
        return person.id, done.id
    if existing and not stay.changes_address:
        return None  # registered in some other way (through the app): leave it be
    children = (
        tuple(child.id for child in dependants(container.uow, person.id))
        if stay.with_children
        else ()
    )
    application = RegistrationApplication(
        address=wanted,
        host=stay.host,
        stay_from=today,
        stay_to=min(today + timedelta(days=364), card.valid_to),
        purpose=stay.purpose,
        dependants=children,
    )
    source = _random_source(seed)
    with container.uow() as uow:
        registration = submit_registration(
            uow, container.clock, region_classifier, person.id, application, source.randbytes
        )
        uow.commit()
    return person.id, registration.id
