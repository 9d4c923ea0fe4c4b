"""Tables for identity and sign-in: the card register, persons, their children, one-time
codes, devices, access tokens, lock-outs and card events (migration 0002).

Per-person tables (dependants, devices, access_tokens, card_events) carry ``person_id`` in their
primary key and in every foreign key to another per-person table (Citus; SPEC §11). Secrets are
never stored: codes as HMAC-SHA256, tokens and device credentials as SHA-256.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from amina.adapters.db.base import Base
from amina.adapters.db.distribution import COORDINATOR, PER_PERSON, PERSONS, REFERENCE


class CardRow(Base):
    """One foreign citizen card, as the card register says (imported, never edited by hand)."""

    __tablename__ = "cards"
    __distribution__ = REFERENCE

    card_number: Mapped[str] = mapped_column(String(20), primary_key=True)
    surname_lat: Mapped[str] = mapped_column(String(100))
    given_names_lat: Mapped[str] = mapped_column(String(100))
    surname_cyr: Mapped[str] = mapped_column(String(100))
    given_names_cyr: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date] = mapped_column(Date)
    citizenship: Mapped[str] = mapped_column(String(2))
    passport_number: Mapped[str] = mapped_column(String(20))
    phone: Mapped[str] = mapped_column(String(16))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))
    purpose: Mapped[str | None] = mapped_column(String(10))
    intended_stay_days: Mapped[int | None] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(30), default="none")
    imported_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_cards_citizenship_passport_number", "citizenship", "passport_number"),
    )


class CardImportRow(Base):
    """Progress of one import of one register file (by content hash), so a re-run resumes."""

    __tablename__ = "card_imports"
    __distribution__ = COORDINATOR

    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(String(300))
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    lines_done: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)


class PersonRow(Base):
    """A card holder known to Amina. Names, date of birth and citizenship come from the card."""

    __tablename__ = "persons"
    __distribution__ = PERSONS

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    card_number: Mapped[str] = mapped_column(ForeignKey("cards.card_number"), index=True)
    language: Mapped[str] = mapped_column(String(2))
    language_chosen: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    enrolled_at: Mapped[datetime | None]


class DependantRow(Base):
    """A child registered under a parent's account (no device, no reporting of their own)."""

    __tablename__ = "dependants"
    __distribution__ = PER_PERSON

    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    surname_lat: Mapped[str] = mapped_column(String(100))
    given_names_lat: Mapped[str] = mapped_column(String(100))
    surname_cyr: Mapped[str | None] = mapped_column(String(100))
    given_names_cyr: Mapped[str | None] = mapped_column(String(100))
    date_of_birth: Mapped[date] = mapped_column(Date)
    citizenship: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime]


class OtpChallengeRow(Base):
    """One sign-in attempt. Created for every request, known card or not (no enumeration);
    ``deliverable`` is false when no code was sent, and such a challenge never verifies."""

    __tablename__ = "otp_challenges"
    __distribution__ = COORDINATOR

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    method: Mapped[str] = mapped_column(String(10))
    subject_key: Mapped[str] = mapped_column(String(80))
    client_key: Mapped[str] = mapped_column(String(80))
    deliverable: Mapped[bool] = mapped_column(Boolean)
    card_number: Mapped[str | None] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(2))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    last_sent_at: Mapped[datetime]
    sends: Mapped[int] = mapped_column(Integer, default=1)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    consumed_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_otp_challenges_subject_key_created_at", "subject_key", "created_at"),
        Index("ix_otp_challenges_client_key_created_at", "client_key", "created_at"),
        Index("ix_otp_challenges_card_number_created_at", "card_number", "created_at"),
    )


class SignInThrottleRow(Base):
    """Failures and lock of one key: ``card:<hmac>``, ``passport:<hmac>`` or ``client:<hmac>``."""

    __tablename__ = "sign_in_throttle"
    __distribution__ = COORDINATOR

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]
    lockouts: Mapped[int] = mapped_column(Integer, default=0)


class DeviceRow(Base):
    """A phone (or browser) bound to a person. At most one is active (not retired) per person."""

    __tablename__ = "devices"
    __distribution__ = PER_PERSON

    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    platform: Mapped[str] = mapped_column(String(10))
    # SHA-256 of the credential: fast to look up on every location report (never a slow hash;
    # the credential is 256 random bits, so a fast hash loses nothing).
    credential_hash: Mapped[str] = mapped_column(String(64), index=True)
    bound_at: Mapped[datetime]
    retired_at: Mapped[datetime | None]
    retired_reason: Mapped[str | None] = mapped_column(String(20))

    __table_args__ = (
        Index(
            "ux_devices_one_active_per_person",
            "person_id",
            unique=True,
            sqlite_where=text("retired_at IS NULL"),
            postgresql_where=text("retired_at IS NULL"),
        ),
    )


class AccessTokenRow(Base):
    """A short-lived bearer token for the person's API (SHA-256 stored)."""

    __tablename__ = "access_tokens"
    __distribution__ = PER_PERSON

    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]

    __table_args__ = (
        ForeignKeyConstraint(["person_id", "device_id"], ["devices.person_id", "devices.id"]),
        Index("ix_access_tokens_token_hash", "token_hash"),
    )


class CardEventRow(Base):
    """Something that happened to a card in Amina (e.g. marked lost), with who and why."""

    __tablename__ = "card_events"
    __distribution__ = PER_PERSON

    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    card_number: Mapped[str] = mapped_column(String(20), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime]
    actor_role: Mapped[str] = mapped_column(String(20))  # 'person' or the staff role
    actor_staff_id: Mapped[str | None] = mapped_column(String(36))
    reason: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]]


class DevSmsRow(Base):
    """Messages the local (development) SMS gateway "sent"; shown at /dev/sms."""

    __tablename__ = "dev_sms_outbox"
    __distribution__ = COORDINATOR

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    to: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(index=True)
