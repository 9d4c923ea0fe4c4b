"""Tables for compliance and due process (migration 0006): notices, reminders, cases,
decisions,
referrals and objections. The inbox and the outbox are in ``amina.adapters.db.delivery``.

Per-person tables carry ``person_id`` first in their primary key and in every foreign key to
another per-person table (Citus; SPEC §11). Unique constraints are what make the sweep
idempotent: one notice per registration, kind and silence episode; one reminder per
registration and episode; one case per notice and missed deadline; one objection per decision;
one outbox row per idempotency key. Staff address cases, referrals and objections by their own
id, so those ids are indexed (not unique on their own: a distributed table's unique
constraints must include the distribution column).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from amina.adapters.db.base import Base
from amina.adapters.db.distribution import COORDINATOR, PER_PERSON

_ID = String(36)


class NoticeRow(Base):
    """A notice asking the person to confirm the address or report a change, with a deadline,
    the policy version and the facts it was based on."""

    __tablename__ = "notices"
    __distribution__ = PER_PERSON

    person_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    registration_id: Mapped[str] = mapped_column(_ID)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12))
    #: The day the silence (or the run of days outside the region) started.
    episode_start: Mapped[date] = mapped_column(Date)
    #: Reports dated from this day up to the deadline resolve the notice by themselves.
    covered_from: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)
    policy_version: Mapped[str] = mapped_column(String(40))
    facts: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    expired_at: Mapped[datetime | None]
    #: How it ended: confirmed, address_changed, covered_by_reports, dismissed, overturned.
    resolution: Mapped[str | None] = mapped_column(String(30))
    #: The person's answer (which report confirmed it, which registration replaced it).
    answer: Mapped[dict[str, Any] | None]

    __table_args__ = (
        ForeignKeyConstraint(
            ["person_id", "registration_id"], ["registrations.person_id", "registrations.id"]
        ),
        UniqueConstraint("person_id", "registration_id", "kind", "episode_start"),
        Index("ix_notices_status_deadline", "status", "deadline"),
        Index("ix_notices_person_id_status", "person_id", "status"),
    )


class ReminderRow(Base):
    """A friendly reminder before any notice: one per registration and silence episode."""

    __tablename__ = "reminders"
    __distribution__ = PER_PERSON

    person_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    registration_id: Mapped[str] = mapped_column(_ID)
    episode_start: Mapped[date] = mapped_column(Date)
    signal: Mapped[str] = mapped_column(String(30))
    silent_working_days: Mapped[int] = mapped_column(Integer)
    policy_version: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime]

    __table_args__ = (
        ForeignKeyConstraint(
            ["person_id", "registration_id"], ["registrations.person_id", "registrations.id"]
        ),
        UniqueConstraint("person_id", "registration_id", "episode_start"),
    )


class CaseRow(Base):
    """A missed deadline, waiting for an inspector's decision (never a sanction by itself)."""

    __tablename__ = "cases"
    __distribution__ = PER_PERSON

    person_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    notice_id: Mapped[str] = mapped_column(_ID)
    #: The deadline that was missed (a notice whose deadline was extended can miss again).
    notice_deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12))
    opened_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    policy_version: Mapped[str] = mapped_column(String(40))

    __table_args__ = (
        ForeignKeyConstraint(["person_id", "notice_id"], ["notices.person_id", "notices.id"]),
        UniqueConstraint("person_id", "notice_id", "notice_deadline"),
        Index("ix_cases_id", "id"),
        Index("ix_cases_status_opened_at", "status", "opened_at"),
    )


class DecisionRow(Base):
    """An inspector's decision on a case, with the written reason."""

    __tablename__ = "decisions"
    __distribution__ = PER_PERSON

    person_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(_ID)
    kind: Mapped[str] = mapped_column(String(20))
    #: The reason as the inspector gave it (with a standard reason: its words in the
    #: inspector's language, then the note); what staff, the audit trail and the registry read.
    reason: Mapped[str] = mapped_column(Text)
    staff_id: Mapped[str] = mapped_column(_ID)
    new_deadline: Mapped[date | None] = mapped_column(Date)
    objection_until: Mapped[date] = mapped_column(Date)
    policy_version: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime]
    #: The standard reason (``domain.decisions.STANDARD_REASONS``), the inspector's note beside
    #: it (may be empty) and the note's language: the person reads the reason in their own
    #: language and the note as written, marked with its language (issue 13).
    reason_code: Mapped[str | None] = mapped_column(String(40), default=None)
    reason_note: Mapped[str | None] = mapped_column(Text, default=None)
    note_language: Mapped[str | None] = mapped_column(String(8), default=None)

    __table_args__ = (
        ForeignKeyConstraint(["person_id", "case_id"], ["cases.person_id", "cases.id"]),
        Index("ix_decisions_id", "id"),
        Index("ix_decisions_person_id_case_id", "person_id", "case_id"),
    )


class ReferralRow(Base):
    """A referral to the Registry of Controlled Persons that a deregistration carries."""

    __tablename__ = "referrals"
    __distribution__ = PER_PERSON

    person_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(_ID)
    decision_id: Mapped[str] = mapped_column(_ID)
    status: Mapped[str] = mapped_column(String(24))
    decided_by: Mapped[str] = mapped_column(_ID)
    created_at: Mapped[datetime]
    confirmed_by: Mapped[str | None] = mapped_column(_ID)
    confirmed_at: Mapped[datetime | None]
    #: Why a supervisor rejected it, or why it was withdrawn.
    closing_reason: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]

    __table_args__ = (
        ForeignKeyConstraint(["person_id", "decision_id"], ["decisions.person_id", "decisions.id"]),
        Index("ix_referrals_id", "id"),
        Index("ix_referrals_status_created_at", "status", "created_at"),
    )


class ObjectionRow(Base):
    """The person's objection to a decision, and the supervisor's answer to it."""

    __tablename__ = "objections"
    __distribution__ = PER_PERSON

    person_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    decision_id: Mapped[str] = mapped_column(_ID)
    case_id: Mapped[str] = mapped_column(_ID)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    outcome: Mapped[str | None] = mapped_column(String(12))
    supervisor_id: Mapped[str | None] = mapped_column(_ID)
    reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None]

    __table_args__ = (
        ForeignKeyConstraint(["person_id", "decision_id"], ["decisions.person_id", "decisions.id"]),
        UniqueConstraint("person_id", "decision_id"),
        Index("ix_objections_id", "id"),
        Index("ix_objections_outcome_created_at", "outcome", "created_at"),
    )


class SweepProgressRow(Base):
    """How far the daily sweep's issue pass got for a day under a policy version (migration
    0012): the last person it finished (committed with that chunk's notices and reminders), and
    when the pass was done. A re-run of a finished day skips the pass; a run that stopped
    half-way resumes after the last person. Not a per-person table: one row per day and
    policy version."""

    __tablename__ = "sweep_progress"
    #: the sweep's own bookkeeping, joined with nothing per person
    __distribution__ = COORDINATOR

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    policy_version: Mapped[str] = mapped_column(String(40), primary_key=True)
    after_person_id: Mapped[str] = mapped_column(_ID)
    chunks: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
