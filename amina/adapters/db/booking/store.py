"""The booking feature's hand-written SQL: taking and freeing seats.

:func:`take_seat` is the one place a seat is taken. It is a single conditional UPDATE whose
row count says whether the seat was free; it runs in the caller's transaction, next to the
booking row it is for, so both commit or neither does.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update

from amina.adapters.db.booking.tables import BookingSlotRow
from amina.adapters.db.uow import UnitOfWork


def take_seat(uow: UnitOfWork, slot_id: str, now: datetime) -> bool:
    """Take one seat of an open, future slot; False if it is full, closed or past.

    On PostgreSQL a concurrent taker waits for this row's lock and re-evaluates ``booked <
    capacity`` once the first commits (READ COMMITTED); on SQLite writers are serialised
    (``BEGIN IMMEDIATE``). The CHECK constraint ``booked <= capacity`` stands behind both.
    """
    result = uow.session.execute(
        update(BookingSlotRow)
        .where(
            BookingSlotRow.id == slot_id,
            BookingSlotRow.booked < BookingSlotRow.capacity,
            BookingSlotRow.closed.is_(False),
            BookingSlotRow.starts_at > now,
        )
        .values(booked=BookingSlotRow.booked + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def free_seat(uow: UnitOfWork, slot_id: str) -> None:
    uow.session.execute(
        update(BookingSlotRow)
        .where(BookingSlotRow.id == slot_id, BookingSlotRow.booked > 0)
        .values(booked=BookingSlotRow.booked - 1)
        .execution_options(synchronize_session=False)
    )


def lock_slots(uow: UnitOfWork, slot_ids: Iterable[str]) -> None:
    """Lock several slot rows in one order (by id), so that two moves in opposite directions
    wait for each other instead of deadlocking (PostgreSQL; SQLite has one writer anyway)."""
    if uow.dialect != "postgresql":
        return
    uow.session.execute(
        select(BookingSlotRow.id)
        .where(BookingSlotRow.id.in_(sorted(set(slot_ids))))
        .order_by(BookingSlotRow.id)
        .with_for_update()
    ).all()
