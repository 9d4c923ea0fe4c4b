"""Tables for appointments at the migration centre (migration 0008).

Reference tables (not per person, replicated to every node under Citus): the slot templates,
the days the centre closed, and the slots. Per-person tables carry ``person_id`` first in
their primary key and in every foreign key to another per-person table.

**No seat is given twice, by the database.** Each slot row counts its seats taken
(``booked``) next to its ``capacity``, and a CHECK constraint keeps ``0 <= booked <=
capacity``. A seat is taken only by the conditional update ``booked = booked + 1 WHERE booked
< capacity`` in the same transaction as the booking row (``store.take_seat``): PostgreSQL
serialises concurrent updates of the row and re-checks the condition after the winner commits;
SQLite serialises writers with ``BEGIN IMMEDIATE``. Even a wrong update that forgot the
condition would be refused by the CHECK constraint.

At most one active booking per person and service: a partial unique index. A ticket code is
unique across everyone through ``booking_codes``, a lookup table keyed by the code
(docs/scale-out.md).
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from amina.adapters.db.base import Base
from amina.adapters.db.distribution import PER_PERSON, REFERENCE, by_key
from amina.domain.booking import ACTIVE

_ID = String(36)

#: The statuses in which a booking occupies its seat, as SQL (the rule lives in the domain).
ACTIVE_SQL = "status IN ({})".format(", ".join(f"'{s.value}'" for s in sorted(ACTIVE)))


class BookingTemplateRow(Base):
    """Opening hours of one service on one weekday (Moscow time) and its counters."""

    __tablename__ = "booking_templates"
    __distribution__ = REFERENCE

    weekday: Mapped[int] = mapped_column(Integer, primary_key=True)
    service: Mapped[str] = mapped_column(String(30), primary_key=True)
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)
    counters: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str | None] = mapped_column(_ID)


class BookingClosedDayRow(Base):
    """A day the centre does not receive visitors, with the supervisor's reason."""

    __tablename__ = "booking_closed_days"
    __distribution__ = REFERENCE

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    closed_at: Mapped[datetime]
    closed_by: Mapped[str | None] = mapped_column(_ID)


class BookingSlotRow(Base):
    __tablename__ = "booking_slots"
    __distribution__ = REFERENCE

    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    service: Mapped[str] = mapped_column(String(30))
    day: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        UniqueConstraint("service", "starts_at"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="seats"),
        Index("ix_booking_slots_day_service", "day", "service"),
    )


class BookingRow(Base):
    __tablename__ = "bookings"
    __distribution__ = PER_PERSON

    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    service: Mapped[str] = mapped_column(String(30))
    slot_id: Mapped[str] = mapped_column(ForeignKey("booking_slots.id"))
    #: 8 Crockford base32 characters (amina.domain.booking), stored ungrouped; unique
    #: across everyone through ``booking_codes``.
    code: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(20))
    hold_expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    #: How many times the person moved it.
    moves: Mapped[int] = mapped_column(Integer, default=0)
    checked_in_at: Mapped[datetime | None]
    #: The staff member who checked the visitor in, or marked the outcome.
    handled_by: Mapped[str | None] = mapped_column(_ID)
    finished_at: Mapped[datetime | None]

    __table_args__ = (
        Index(
            "ux_bookings_one_active_per_person_service",
            "person_id",
            "service",
            unique=True,
            sqlite_where=text(ACTIVE_SQL),
            postgresql_where=text(ACTIVE_SQL),
        ),
        Index("ix_bookings_slot_id_status", "slot_id", "status"),
        Index("ix_bookings_status_hold_expires_at", "status", "hold_expires_at"),
    )


class BookingReminderRow(Base):
    """A reminder sent for a booking at one slot: the key makes each one go once, and a moved
    booking (another slot) gets its own."""

    __tablename__ = "booking_reminders"
    __distribution__ = PER_PERSON

    person_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    booking_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    slot_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    sent_at: Mapped[datetime]

    __table_args__ = (
        ForeignKeyConstraint(["person_id", "booking_id"], ["bookings.person_id", "bookings.id"]),
    )


class BookingCodeRow(Base):
    """Whose booking a ticket code is: the code is the key, so it is unique across every
    person; staff checking a visitor in find the person and the booking here. Written in the
    same transaction as the booking."""

    __tablename__ = "booking_codes"
    __distribution__ = by_key("code")

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    person_id: Mapped[str] = mapped_column(_ID)
    booking_id: Mapped[str] = mapped_column(_ID)
