"""Tables of the work patent's payments (migration 0007, issue 11).

- ``patent_tariffs`` — a reference table (not per person, not distributed): one row per year,
  region and version, with its legal source. Amounts, deflators and coefficients are stored as
  decimal text, so they come back exactly as written (SQLite has no exact decimal type).
- ``patents``, ``patent_payments``, ``patent_payment_events``, ``patent_reminders`` — per
  person: ``person_id`` first in the primary key and in every foreign key (Citus; SPEC §11).
  The partial unique index on ``patent_payments`` is what makes two payments of the same months
  impossible: only one intent per patent and first month may be pending or succeeded.
- ``sandbox_payments`` — the sandbox acquirer's own book (development and tests only); a real
  acquirer keeps it on its side.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from amina.adapters.db.base import Base
from amina.adapters.db.distribution import COORDINATOR, PER_PERSON, REFERENCE

_ID = String(36)
_DECIMAL = String(24)

#: Intents in these states hold their months: no second intent for the same months.
HOLDING_STATUSES = ("pending", "succeeded")


class PatentTariffRow(Base):
    """One version of the monthly amount for a year and a region, with its legal source."""

    __tablename__ = "patent_tariffs"
    __distribution__ = REFERENCE

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    region: Mapped[str] = mapped_column(String(6), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    base: Mapped[str] = mapped_column(_DECIMAL)
    deflator: Mapped[str] = mapped_column(_DECIMAL)
    coefficient: Mapped[str] = mapped_column(_DECIMAL)
    amount: Mapped[str] = mapped_column(_DECIMAL)
    effective_from: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text)
    verified: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime]
    #: The supervisor who added this version (None for the seeded rows).
    recorded_by: Mapped[str | None] = mapped_column(String(36))
    reason: Mapped[str] = mapped_column(Text)


class PatentRow(Base):
    """A work patent as the person recorded it from the paper: number, regions, issue date,
    the months paid before issue, the payer's INN and the OKTMO of the place of work."""

    __tablename__ = "patents"
    __distribution__ = PER_PERSON

    person_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    number: Mapped[str] = mapped_column(String(30))
    regions: Mapped[list[str]] = mapped_column(JSON)
    issued_on: Mapped[date] = mapped_column(Date)
    months_at_issue: Mapped[int] = mapped_column(Integer)
    inn: Mapped[str] = mapped_column(String(12))
    oktmo: Mapped[str] = mapped_column(String(11))
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("person_id", "number"),)


class PatentPaymentRow(Base):
    """A payment intent and, once the provider confirms it, the payment: the months it covers
    (periods ``first_period`` .. ``first_period + months - 1``), the exact amount and the
    tariff row it came from."""

    __tablename__ = "patent_payments"
    __distribution__ = PER_PERSON

    person_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    patent_id: Mapped[str] = mapped_column(_ID)
    first_period: Mapped[int] = mapped_column(Integer)
    months: Mapped[int] = mapped_column(Integer)
    monthly: Mapped[str] = mapped_column(_DECIMAL)
    amount: Mapped[str] = mapped_column(_DECIMAL)
    tariff_year: Mapped[int] = mapped_column(Integer)
    tariff_region: Mapped[str] = mapped_column(String(6))
    tariff_version: Mapped[int] = mapped_column(Integer)
    #: pending, succeeded, failed, expired, flagged (money arrived but cannot count), refunded
    status: Mapped[str] = mapped_column(String(12))
    provider: Mapped[str] = mapped_column(String(20))
    provider_ref: Mapped[str | None] = mapped_column(String(600))
    checkout_url: Mapped[str | None] = mapped_column(String(1000))
    verification_code: Mapped[str] = mapped_column(String(13))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    paid_at: Mapped[datetime | None]
    settled_at: Mapped[datetime | None]
    flag: Mapped[str | None] = mapped_column(String(30))

    __table_args__ = (
        ForeignKeyConstraint(["person_id", "patent_id"], ["patents.person_id", "patents.id"]),
        Index(
            "uq_patent_payments_months_held",
            "person_id",
            "patent_id",
            "first_period",
            unique=True,
            sqlite_where=text("status IN ('pending', 'succeeded')"),
            postgresql_where=text("status IN ('pending', 'succeeded')"),
        ),
        Index("ix_patent_payments_status_expires_at", "status", "expires_at"),
        Index("ix_patent_payments_verification_code", "verification_code"),
        Index("ix_patent_payments_id", "id"),
    )


class PatentPaymentEventRow(Base):
    """Everything that happened to a payment: created, each callback (a duplicate, late or
    differing one is ``flagged``), reconciliation, refund."""

    __tablename__ = "patent_payment_events"
    __distribution__ = PER_PERSON

    person_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    payment_id: Mapped[str] = mapped_column(_ID)
    kind: Mapped[str] = mapped_column(String(30))
    flagged: Mapped[bool] = mapped_column(Boolean)
    details: Mapped[dict[str, Any]]
    occurred_at: Mapped[datetime]

    __table_args__ = (
        ForeignKeyConstraint(
            ["person_id", "payment_id"], ["patent_payments.person_id", "patent_payments.id"]
        ),
        Index("ix_patent_payment_events_flagged", "flagged", "occurred_at"),
    )


class PatentReminderRow(Base):
    """One reminder sent for one paid period's end: the key makes the daily job idempotent.
    ``days_before`` is 10, 3, 1 or 0 (the last day); -1 is the message that the patent ended."""

    __tablename__ = "patent_reminders"
    __distribution__ = PER_PERSON

    person_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    patent_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    paid_until: Mapped[date] = mapped_column(Date, primary_key=True)
    days_before: Mapped[int] = mapped_column(Integer, primary_key=True)
    sent_at: Mapped[datetime]

    __table_args__ = (
        ForeignKeyConstraint(["person_id", "patent_id"], ["patents.person_id", "patents.id"]),
    )


class SandboxPaymentRow(Base):
    """The sandbox acquirer's record of what happened at its checkout page."""

    __tablename__ = "sandbox_payments"
    __distribution__ = COORDINATOR

    ref: Mapped[str] = mapped_column(String(600), primary_key=True)
    payment_id: Mapped[str] = mapped_column(_ID, index=True)
    amount: Mapped[str] = mapped_column(_DECIMAL)
    state: Mapped[str] = mapped_column(String(12))
    paid_at: Mapped[datetime | None]
    recorded_at: Mapped[datetime]
    refunded_at: Mapped[datetime | None]
