"""At the centre: an operator finds a visit by its ticket code (audited), checks the visitor
in, marks the visit served or a no-show; the day's load per service and hour; a supervisor
closes a day, and the people booked on it are told and offered new times."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import func, select, update

from amina.adapters.db.booking.tables import BookingCodeRow, BookingRow, BookingSlotRow
from amina.adapters.db.identity.tables import CardRow, PersonRow
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.domain import purposes
from amina.domain.booking import ACTIVE, BookingStatus, normalise_code
from amina.domain.calendar import MOSCOW
from amina.domain.roles import Permission
from amina.services.audit.trail import Actor, record_access
from amina.services.booking.bookings import Booking, _end, booking_of
from amina.services.booking.errors import booking_not_changeable, ticket_not_found
from amina.services.booking.messages import BookingMessage
from amina.services.booking.slots import record_closed_day
from amina.services.clock import Clock
from amina.services.delivery.inbox import PersonMessage, tell_many
from amina.services.staff.permissions import require

#: What the console records as the purpose of reading a visit by its ticket.
CHECK_IN_PURPOSE = purposes.CHECK_IN


@dataclass(frozen=True)
class Visit:
    """A booking as the operator sees it: the visit and whose it is."""

    booking: Booking
    name_latin: str
    name_cyrillic: str
    card_number: str
    card_status: str


def find_by_code(uow: UnitOfWork, clock: Clock, actor: Actor, typed: str) -> Visit:
    """The visit whose ticket has this code (or QR). Reading it is recorded in the audit log
    and shown in the person's access log."""
    require(actor, Permission.appointment_manage)
    code = normalise_code(typed)
    if code is None:
        raise ticket_not_found()
    found = uow.session.execute(
        select(BookingCodeRow.person_id, BookingCodeRow.booking_id).where(
            BookingCodeRow.code == code
        )
    ).first()
    if found is None:
        raise ticket_not_found()
    person_id, booking_id = found
    record_access(
        uow,
        clock,
        actor,
        action="booking.view",
        purpose=CHECK_IN_PURPOSE,
        person_id=person_id,
        details={"booking_id": booking_id},
    )
    return _visit(uow, person_id, booking_id)


def _visit(uow: UnitOfWork, person_id: str, booking_id: str) -> Visit:
    card = uow.session.execute(
        select(CardRow)
        .join(PersonRow, PersonRow.card_number == CardRow.card_number)
        .where(PersonRow.id == person_id)
    ).scalar_one()
    return Visit(
        booking_of(uow, person_id, booking_id),
        f"{card.surname_lat} {card.given_names_lat}",
        f"{card.surname_cyr} {card.given_names_cyr}",
        card.card_number,
        card.status,
    )


def _move(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    person_id: str,
    booking_id: str,
    allowed_from: set[BookingStatus],
    to: BookingStatus,
) -> Visit:
    require(actor, Permission.appointment_manage)
    now = clock.now()
    values: dict[str, object] = {
        "status": to.value,
        "updated_at": now,
        "handled_by": actor.staff_id,
    }
    if to is BookingStatus.checked_in:
        values["checked_in_at"] = now
    else:
        values["finished_at"] = now
    done = uow.session.execute(
        update(BookingRow)
        .where(
            BookingRow.person_id == person_id,
            BookingRow.id == booking_id,
            BookingRow.status.in_([s.value for s in allowed_from]),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if not done.rowcount:  # type: ignore[attr-defined]
        raise booking_not_changeable()
    record_access(
        uow,
        clock,
        actor,
        action=f"booking.{to.value}",
        purpose=CHECK_IN_PURPOSE,
        person_id=person_id,
        details={"booking_id": booking_id},
    )
    return _visit(uow, person_id, booking_id)


def check_in(uow: UnitOfWork, clock: Clock, actor: Actor, person_id: str, booking_id: str) -> Visit:
    return _move(
        uow,
        clock,
        actor,
        person_id,
        booking_id,
        {BookingStatus.confirmed},
        BookingStatus.checked_in,
    )


def mark_served(
    uow: UnitOfWork, clock: Clock, actor: Actor, person_id: str, booking_id: str
) -> Visit:
    """Served: the seat stays counted (the visit took place)."""
    return _move(
        uow,
        clock,
        actor,
        person_id,
        booking_id,
        {BookingStatus.checked_in, BookingStatus.confirmed},
        BookingStatus.served,
    )


def mark_no_show(
    uow: UnitOfWork, clock: Clock, actor: Actor, person_id: str, booking_id: str
) -> Visit:
    return _move(
        uow, clock, actor, person_id, booking_id, {BookingStatus.confirmed}, BookingStatus.no_show
    )


# --- the day's load --------------------------------------------------------------------------


@dataclass(frozen=True)
class HourLoad:
    service: str
    hour: int  # Moscow
    capacity: int
    booked: int
    checked_in: int


def day_load(uow: UnitOfWork, day: date) -> list[HourLoad]:
    """Seats and bookings per service and hour (Moscow) on ``day``: counts only, no person."""
    capacity: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    for slot in uow.session.scalars(
        select(BookingSlotRow).where(BookingSlotRow.day == day, BookingSlotRow.closed.is_(False))
    ):
        hour = slot.starts_at.astimezone(MOSCOW).hour
        cell = capacity[(slot.service, hour)]
        cell[0] += slot.capacity
        cell[1] += slot.booked
    for service, starts_at, count in uow.session.execute(
        select(BookingSlotRow.service, BookingSlotRow.starts_at, func.count())
        .join(BookingRow, BookingRow.slot_id == BookingSlotRow.id)
        .where(
            BookingSlotRow.day == day,
            BookingRow.status.in_([BookingStatus.checked_in.value, BookingStatus.served.value]),
        )
        .group_by(BookingSlotRow.service, BookingSlotRow.starts_at)
    ):
        capacity[(service, _hour(starts_at))][2] += int(count)
    return [
        HourLoad(service, hour, c[0], c[1], c[2]) for (service, hour), c in sorted(capacity.items())
    ]


def _hour(instant: datetime) -> int:
    return instant.astimezone(MOSCOW).hour


# --- closing a day ---------------------------------------------------------------------------


def close_day(uow: UnitOfWork, clock: Clock, actor: Actor, day: date, reason: str) -> int:
    """Close the centre on ``day`` (supervisor, audited with the reason): its slots close, its
    active bookings end as ``closed_by_centre`` with their seats freed, and each person is
    told in their language and offered new times. Returns how many people were told."""
    why = record_closed_day(uow, clock, actor, day, reason)
    now = clock.now()
    rows = uow.session.scalars(
        select(BookingRow)
        .join(BookingSlotRow, BookingSlotRow.id == BookingRow.slot_id)
        .where(BookingSlotRow.day == day, BookingRow.status.in_([s.value for s in ACTIVE]))
    ).all()
    messages = []
    for row in rows:
        if _end(uow, row, BookingStatus.closed_by_centre, now):
            messages.append(
                PersonMessage(
                    row.person_id,
                    BookingMessage.day_closed,
                    {"day": day.isoformat(), "service": row.service, "reason": why},
                    subject_id=row.id,
                )
            )
    tell_many(uow, clock, messages)
    return len(messages)


# --- use cases: each in one transaction of its own, committed here ------------------------------


#: What an operator records about a visit, and the step that records it.
VisitOutcome = Literal["check-in", "served", "no-show"]
VISIT_OUTCOMES: dict[str, Callable[[UnitOfWork, Clock, Actor, str, str], Visit]] = {
    "check-in": check_in,
    "served": mark_served,
    "no-show": mark_no_show,
}


def look_up_ticket(uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor, typed: str) -> Visit:
    """An operator finds a visit by its ticket code (:func:`find_by_code`), the reading
    committed to the audit log."""
    with uow_factory() as uow:
        visit = find_by_code(uow, clock, actor, typed)
        uow.commit()
    return visit


def record_visit_outcome(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    person_id: str,
    booking_id: str,
    outcome: VisitOutcome,
) -> Visit:
    """An operator checks a visitor in, or marks the visit served or a no-show (audited)."""
    with uow_factory() as uow:
        visit = VISIT_OUTCOMES[outcome](uow, clock, actor, person_id, booking_id)
        uow.commit()
    return visit


def close_centre_day(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor, day: date, reason: str
) -> int:
    """A supervisor closes the centre on a day (:func:`close_day`). Returns how many people
    were told."""
    with uow_factory() as uow:
        told = close_day(uow, clock, actor, day, reason)
        uow.commit()
    return told
