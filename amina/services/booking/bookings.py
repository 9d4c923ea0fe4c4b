"""The person's bookings: book (or hold, then confirm), cancel, move; and the release of holds
that were not confirmed in time.

A seat is taken only through :func:`amina.adapters.db.booking.store.take_seat`, in the same
transaction as the booking row; a refused seat is ``409 slot_full`` and nothing is written.
A move takes the new seat first and frees the old one in the same transaction, so a move that
loses the race for the new seat keeps the old one untouched. None of these functions commits.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from amina.adapters.db.booking import store
from amina.adapters.db.booking.tables import BookingCodeRow, BookingRow, BookingSlotRow
from amina.adapters.db.identity.tables import CardRow, PersonRow
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.domain.booking import (
    ACTIVE,
    CHANGEABLE,
    CODE_RANDOM_BYTES,
    HOLD_FOR,
    BookingStatus,
    ServiceCode,
    WhoMayBook,
    may_book,
    service,
    ticket_code_from,
)
from amina.domain.cards import CardStatus
from amina.services.booking.errors import (
    already_booked,
    booking_not_changeable,
    booking_not_found,
    hold_expired,
    service_not_for_you,
    slot_full,
    slot_not_found,
    wrong_service,
)
from amina.services.clock import Clock

RandomBytes = Callable[[int], bytes]


@dataclass(frozen=True)
class Booking:
    id: str
    person_id: str
    service: ServiceCode
    status: BookingStatus
    code: str
    slot_id: str
    starts_at: datetime
    ends_at: datetime
    hold_expires_at: datetime | None
    created_at: datetime
    moves: int
    checked_in_at: datetime | None


def _booking(row: BookingRow, slot: BookingSlotRow) -> Booking:
    return Booking(
        id=row.id,
        person_id=row.person_id,
        service=ServiceCode(row.service),
        status=BookingStatus(row.status),
        code=row.code,
        slot_id=row.slot_id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        hold_expires_at=row.hold_expires_at,
        created_at=row.created_at,
        moves=row.moves,
        checked_in_at=row.checked_in_at,
    )


def card_lost(uow: UnitOfWork, person_id: str) -> bool:
    """Whether the person's card is marked lost (they signed in with the passport)."""
    status = uow.session.scalar(
        select(CardRow.status)
        .join(PersonRow, PersonRow.card_number == CardRow.card_number)
        .where(PersonRow.id == person_id)
    )
    return status == CardStatus.lost.value


def _slot_for(uow: UnitOfWork, slot_id: str, service_code: ServiceCode) -> BookingSlotRow:
    slot = uow.session.get(BookingSlotRow, slot_id)
    if slot is None:
        raise slot_not_found()
    if slot.service != service_code.value:
        raise wrong_service()
    return slot


def book(
    uow: UnitOfWork,
    clock: Clock,
    person_id: str,
    service_code: ServiceCode,
    slot_id: str,
    *,
    hold: bool = False,
    random_bytes: RandomBytes = secrets.token_bytes,
) -> Booking:
    """Book a seat of ``slot_id`` (or hold it for :data:`HOLD_FOR` while the person confirms).

    Refused with ``slot_full`` when no seat is left, ``already_booked`` when the person has an
    active booking for the service, ``service_not_for_you`` when the service is not for them.
    """
    centre_service = service(service_code.value)
    assert centre_service is not None
    if centre_service.who_may_book is not WhoMayBook.anyone and not may_book(
        centre_service, card_lost(uow, person_id)
    ):
        raise service_not_for_you()
    now = clock.now()
    slot = _slot_for(uow, slot_id, service_code)
    if not _take_seat(uow, slot.id, now):
        raise slot_full()
    row = BookingRow(
        person_id=person_id,
        id=str(uuid.uuid4()),
        service=service_code.value,
        slot_id=slot.id,
        code=ticket_code_from(random_bytes(CODE_RANDOM_BYTES)),
        status=(BookingStatus.held if hold else BookingStatus.confirmed).value,
        hold_expires_at=now + HOLD_FOR if hold else None,
        created_at=now,
        updated_at=now,
        moves=0,
    )
    uow.session.add(row)
    try:
        uow.session.flush()
    except IntegrityError as error:
        # the partial unique index: the person has an active booking for this service (the
        # seat taken above goes back with the rollback)
        raise already_booked() from error
    # the ticket code, unique across everyone (its primary key; docs/scale-out.md)
    uow.session.add(BookingCodeRow(code=row.code, person_id=person_id, booking_id=row.id))
    uow.session.flush()
    return _booking(row, slot)


def _take_seat(uow: UnitOfWork, slot_id: str, now: datetime) -> bool:
    """A seat of the slot; a full slot whose holds ran out gets them released first."""
    if store.take_seat(uow, slot_id, now):
        return True
    return bool(_release_expired_holds_of(uow, now, slot_id)) and store.take_seat(uow, slot_id, now)


def _row(uow: UnitOfWork, person_id: str, booking_id: str) -> BookingRow:
    row = uow.session.get(BookingRow, (person_id, booking_id), with_for_update=True)
    if row is None:
        raise booking_not_found()
    return row


def _changeable(row: BookingRow, now: datetime) -> None:
    if row.status not in CHANGEABLE:
        raise booking_not_changeable()
    if row.status == BookingStatus.held and row.hold_expires_at and row.hold_expires_at <= now:
        raise hold_expired()


def confirm(uow: UnitOfWork, clock: Clock, person_id: str, booking_id: str) -> Booking:
    """Confirm a hold before it runs out (a confirmed booking is answered as it is)."""
    now = clock.now()
    row = _row(uow, person_id, booking_id)
    if row.status == BookingStatus.confirmed:
        return booking_of(uow, person_id, booking_id)
    _changeable(row, now)
    done = uow.session.execute(
        update(BookingRow)
        .where(
            BookingRow.person_id == person_id,
            BookingRow.id == booking_id,
            BookingRow.status == BookingStatus.held.value,
            BookingRow.hold_expires_at > now,
        )
        .values(status=BookingStatus.confirmed.value, hold_expires_at=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if not done.rowcount:  # type: ignore[attr-defined]
        raise hold_expired()
    uow.session.expire(row)
    return booking_of(uow, person_id, booking_id)


def _end(uow: UnitOfWork, row: BookingRow, status: BookingStatus, now: datetime) -> bool:
    """Move an active booking to an end state and free its seat, once (conditional update)."""
    done = uow.session.execute(
        update(BookingRow)
        .where(
            BookingRow.person_id == row.person_id,
            BookingRow.id == row.id,
            BookingRow.status.in_([s.value for s in ACTIVE]),
        )
        .values(status=status.value, hold_expires_at=None, updated_at=now, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    if not done.rowcount:  # type: ignore[attr-defined]
        return False
    store.free_seat(uow, row.slot_id)
    uow.session.expire(row)
    return True


def cancel(uow: UnitOfWork, clock: Clock, person_id: str, booking_id: str) -> Booking:
    now = clock.now()
    row = _row(uow, person_id, booking_id)
    if row.status == BookingStatus.cancelled:
        return booking_of(uow, person_id, booking_id)
    _changeable(row, now)
    _end(uow, row, BookingStatus.cancelled, now)
    return booking_of(uow, person_id, booking_id)


def reschedule(
    uow: UnitOfWork, clock: Clock, person_id: str, booking_id: str, new_slot_id: str
) -> Booking:
    """Move a booking to another slot of the same service: the new seat is taken first; if it
    is full nothing changes (``slot_full``), else the old seat is freed in the same
    transaction. The ticket code stays; reminders follow the new time."""
    now = clock.now()
    row = _row(uow, person_id, booking_id)
    _changeable(row, now)
    if row.slot_id == new_slot_id:
        return booking_of(uow, person_id, booking_id)
    _slot_for(uow, new_slot_id, ServiceCode(row.service))
    old_slot_id = row.slot_id
    store.lock_slots(uow, [old_slot_id, new_slot_id])
    if not _take_seat(uow, new_slot_id, now):
        raise slot_full()
    done = uow.session.execute(
        update(BookingRow)
        .where(
            BookingRow.person_id == person_id,
            BookingRow.id == booking_id,
            BookingRow.slot_id == old_slot_id,
            BookingRow.status.in_([s.value for s in CHANGEABLE]),
        )
        .values(slot_id=new_slot_id, moves=BookingRow.moves + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if not done.rowcount:  # type: ignore[attr-defined]
        raise booking_not_changeable()
    store.free_seat(uow, old_slot_id)
    uow.session.expire(row)
    return booking_of(uow, person_id, booking_id)


# --- reading ---------------------------------------------------------------------------------


def booking_of(uow: UnitOfWork, person_id: str, booking_id: str) -> Booking:
    found = uow.session.execute(
        select(BookingRow, BookingSlotRow)
        .join(BookingSlotRow, BookingSlotRow.id == BookingRow.slot_id)
        .where(BookingRow.person_id == person_id, BookingRow.id == booking_id)
    ).first()
    if found is None:
        raise booking_not_found()
    return _booking(found[0], found[1])


def bookings_of(uow: UnitOfWork, person_id: str) -> list[Booking]:
    """The person's bookings, the coming ones first (soonest first), then the rest."""
    rows = uow.session.execute(
        select(BookingRow, BookingSlotRow)
        .join(BookingSlotRow, BookingSlotRow.id == BookingRow.slot_id)
        .where(BookingRow.person_id == person_id)
        .order_by(BookingSlotRow.starts_at.desc())
    ).all()
    found = [_booking(r[0], r[1]) for r in rows]
    active = sorted((b for b in found if b.status in ACTIVE), key=lambda b: b.starts_at)
    return active + [b for b in found if b.status not in ACTIVE]


# --- holds -----------------------------------------------------------------------------------


def _release_expired_holds_of(uow: UnitOfWork, now: datetime, slot_id: str | None) -> int:
    query = select(BookingRow).where(
        BookingRow.status == BookingStatus.held.value, BookingRow.hold_expires_at <= now
    )
    if slot_id is not None:
        query = query.where(BookingRow.slot_id == slot_id)
    released = 0
    for row in uow.session.scalars(query.limit(1000)).all():
        if _end(uow, row, BookingStatus.expired, now):
            released += 1
    return released


def release_expired_holds(uow_factory: UnitOfWorkFactory, clock: Clock) -> int:
    """Release every hold that ran out (the hold-release job). Returns how many."""
    total = 0
    while True:
        with uow_factory() as uow:
            released = _release_expired_holds_of(uow, clock.now(), None)
            uow.commit()
        total += released
        if released < 1000:
            return total
