"""Tables for registrations of the place of stay, their events and the children they cover
(migration 0004).

Per-person tables: ``person_id`` leads every primary key and every foreign key between them
(Citus; SPEC §11); the slip code's uniqueness across persons is kept by
``registration_codes``, a lookup table keyed by the code (migration 0010, docs/scale-out.md).
At most one registration per person holds the place (``active`` or
``confirmation_requested``): a partial unique index enforces it on SQLite and PostgreSQL alike,
so two submissions racing each other cannot both win.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
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
from amina.adapters.db.distribution import PER_PERSON, by_key
from amina.domain.registration import RegistrationStatus, holds_the_place

#: The statuses in which a registration holds the place, as SQL (the rule lives in the domain).
HOLDING = "status IN ({})".format(
    ", ".join(f"'{s.value}'" for s in RegistrationStatus if holds_the_place(s))
)


class RegistrationRow(Base):
    __tablename__ = "registrations"
    __distribution__ = PER_PERSON

    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    #: Human-readable: AM-2025-000123 (year of issue, then the running number ``serial``).
    number: Mapped[str] = mapped_column(String(20))
    #: Unique by how it is drawn (PostgreSQL: the sequence ``registration_serial_seq``;
    #: SQLite: the greatest plus one, under the one writer's lock), not by a constraint: a
    #: constraint without ``person_id`` cannot be kept on a table distributed by person.
    serial: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    #: 13 Crockford base32 characters, 65 random bits (amina.domain.slip); stored ungrouped.
    #: Unique across everyone through ``registration_codes``.
    slip_code: Mapped[str] = mapped_column(String(13))
    status: Mapped[str] = mapped_column(String(30))

    region: Mapped[str] = mapped_column(String(6))
    settlement: Mapped[str] = mapped_column(String(200))
    street: Mapped[str] = mapped_column(String(200))
    house: Mapped[str] = mapped_column(String(30))
    building: Mapped[str | None] = mapped_column(String(30))
    flat: Mapped[str | None] = mapped_column(String(30))
    fias_id: Mapped[str | None] = mapped_column(String(36))
    #: The building's coordinates: NULL until the person adds them with consent (issue 13).
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    #: When and how they were added: at_registration, at_address, night_place (migration 0011).
    located_at: Mapped[datetime | None]
    location_source: Mapped[str | None] = mapped_column(String(20))
    near_border: Mapped[bool] = mapped_column(Boolean)

    host_kind: Mapped[str] = mapped_column(String(20))
    host_name: Mapped[str] = mapped_column(String(300))
    host_document: Mapped[str | None] = mapped_column(String(100))
    host_inn: Mapped[str | None] = mapped_column(String(12))

    stay_from: Mapped[date] = mapped_column(Date)
    stay_to: Mapped[date] = mapped_column(Date)
    purpose: Mapped[str] = mapped_column(String(10))
    policy_version: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        Index(
            "ux_registrations_one_holding_per_person",
            "person_id",
            unique=True,
            sqlite_where=text(HOLDING),
            postgresql_where=text(HOLDING),
        ),
        Index("ix_registrations_person_id_created_at", "person_id", "created_at"),
    )


class RegistrationEventRow(Base):
    """One step of a registration's life: who (person, staff or the system), when, why."""

    __tablename__ = "registration_events"
    __distribution__ = PER_PERSON

    person_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    registration_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str] = mapped_column(String(30))
    actor_kind: Mapped[str] = mapped_column(String(10))  # person, staff, system
    actor_id: Mapped[str | None] = mapped_column(String(36))
    actor_role: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime]
    #: Orders events that share a timestamp (a close and the new registration).
    seq: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        ForeignKeyConstraint(
            ["person_id", "registration_id"], ["registrations.person_id", "registrations.id"]
        ),
        Index("ix_registration_events_person_id_registration_id", "person_id", "registration_id"),
    )


class RegistrationDependantRow(Base):
    """A child (the parent's dependant) covered by the parent's registration."""

    __tablename__ = "registration_dependants"
    __distribution__ = PER_PERSON

    person_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    registration_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    dependant_id: Mapped[str] = mapped_column(String(36), primary_key=True)

    __table_args__ = (
        ForeignKeyConstraint(
            ["person_id", "registration_id"], ["registrations.person_id", "registrations.id"]
        ),
        ForeignKeyConstraint(
            ["person_id", "dependant_id"], ["dependants.person_id", "dependants.id"]
        ),
    )


class RegistrationCodeRow(Base):
    """Whose registration a slip code is: the code is the key, so it is unique across every
    person; a host's code finds the person and the registration here, and the registration is
    then read on the person's shard. Written in the same transaction as the registration."""

    __tablename__ = "registration_codes"
    __distribution__ = by_key("slip_code")

    slip_code: Mapped[str] = mapped_column(String(13), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(36))
    registration_id: Mapped[str] = mapped_column(String(36))
