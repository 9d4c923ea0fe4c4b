"""Tables for telling the person (migration 0006): the in-app inbox, the outbox, web push
subscriptions, and what the local implementations of the outside channels received.

Per-person tables carry ``person_id`` first in their primary key (Citus; SPEC §11); one outbox
row per idempotency key makes delivery idempotent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from amina.adapters.db.base import Base
from amina.adapters.db.distribution import COORDINATOR, PER_PERSON

_ID = String(36)


class InboxMessageRow(Base):
    """A message in the person's in-app inbox. Stored as a kind and parameters and rendered
    when read, in the person's language at that moment (amina.services.compliance.messages)."""

    __tablename__ = "inbox_messages"
    __distribution__ = PER_PERSON

    person_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]]
    #: What it is about: a notice, reminder, case or decision id.
    subject_id: Mapped[str | None] = mapped_column(_ID)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_inbox_messages_person_id_created_at", "person_id", "created_at"),)


class OutboxRow(Base):
    """A message to send through an outside channel (SMS, web push, the registry), written in
    the same transaction as what it announces and sent by the outbox worker."""

    __tablename__ = "outbox"
    __distribution__ = PER_PERSON

    person_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    channel: Mapped[str] = mapped_column(String(12))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    gave_up_at: Mapped[datetime | None]
    #: The error's class or code only: never a number, a text or anything personal.
    last_error: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        UniqueConstraint("person_id", "idempotency_key"),
        Index(
            "ix_outbox_due",
            "next_attempt_at",
            sqlite_where=text("sent_at IS NULL AND gave_up_at IS NULL"),
            postgresql_where=text("sent_at IS NULL AND gave_up_at IS NULL"),
        ),
    )


class PushSubscriptionRow(Base):
    """A browser's web push subscription (endpoint and keys), for the person's app."""

    __tablename__ = "push_subscriptions"
    __distribution__ = PER_PERSON

    person_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    id: Mapped[str] = mapped_column(_ID, primary_key=True)
    endpoint: Mapped[str] = mapped_column(String(1000))
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("person_id", "endpoint"),)


class LocalReceiptRow(Base):
    """What the local implementations of the outside channels received (development, tests,
    demos): the SMS gateway, the push service and the Registry of Controlled Persons. The key
    is the sender's idempotency key, so a repeat is recognised and ignored."""

    __tablename__ = "local_receipts"
    __distribution__ = COORDINATOR

    channel: Mapped[str] = mapped_column(String(12), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    recipient: Mapped[str] = mapped_column(String(1000))
    payload: Mapped[dict[str, Any]]
    received_at: Mapped[datetime]
