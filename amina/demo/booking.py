"""Demo appointments at the migration centre: the slots of the next two weeks are opened (as
the daily job does), and a few demo card holders have a visit booked — one for tomorrow, so its
reminder and its ticket can be tried at once. The first ticket code is printed: type it on
/console/booking as the demo operator. Idempotent: a person with a visit for the service is
left alone. Not in production.
"""

from __future__ import annotations

import random
from datetime import timedelta

from rich.console import Console

from amina.bootstrap import Container
from amina.domain.booking import ServiceCode, grouped_code
from amina.domain.calendar import moscow_date
from amina.services.booking.bookings import book, bookings_of
from amina.services.booking.slots import free_slots, open_slots_ahead
from amina.services.errors import AminaError
from amina.services.identity.cards import card_numbered
from amina.services.identity.enrolment import person_for_card

SEED = "amina-demo-booking"

#: (card number, language, service)
VISITS: tuple[tuple[str, str, ServiceCode], ...] = (
    ("7725000001", "uz", ServiceCode.card_issuance),
    ("7725000002", "uz", ServiceCode.biometrics),
    ("7725000004", "tg", ServiceCode.patent_issuance),
    ("7725000010", "hy", ServiceCode.medical_examination),
)


def load_demo_bookings(container: Container, console: Console) -> None:
    if container.settings.is_production:
        console.print("[yellow]Demo bookings are not loaded in production.[/]")
        return
    opened = open_slots_ahead(container.uow, container.clock)
    seeded = random.Random(SEED)  # demo only: the same ticket codes on every machine
    codes: list[str] = []
    start = moscow_date(container.clock.now()) + timedelta(days=1)
    for number, language, service in VISITS:
        with container.uow() as uow:
            card = card_numbered(uow, number)
            if card is None:
                continue
            person = person_for_card(uow, card, container.clock.now(), language)
            existing = [b for b in bookings_of(uow, person.id) if b.service is service]
            if existing:
                codes.append(existing[0].code)
                uow.commit()
                continue
            times = free_slots(uow, container.clock, service, start, start + timedelta(days=7))
            if not times:
                uow.commit()
                continue
            try:
                made = book(
                    uow,
                    container.clock,
                    person.id,
                    service,
                    times[min(4, len(times) - 1)].id,
                    random_bytes=seeded.randbytes,
                )
            except AminaError as error:
                console.print(f"[yellow]Demo visit for {number} not booked: {error.code}[/]")
                continue
            uow.commit()
            codes.append(made.code)
    console.print(
        f"[bold]Demo visits to the migration centre[/] — {opened} slot(s) opened; ticket codes "
        "to check in at /console/booking: " + ", ".join(grouped_code(c) for c in codes),
        highlight=False,
        soft_wrap=True,
    )
