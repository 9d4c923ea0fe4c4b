"""What the local implementations of the outside channels received (``local_receipts``).

The local SMS gateway, the local push service and the local Registry of Controlled Persons
each record what they receive here, keyed by the sender's idempotency key: a repeat of a key is
acknowledged and ignored, exactly as the real receivers must do (services/channels.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from amina.adapters.db.delivery.tables import LocalReceiptRow
from amina.services.clock import Clock

RECEIPTS = LocalReceiptRow.__table__


def record_receipt(
    connection: Connection,
    clock: Clock,
    channel: str,
    key: str,
    recipient: str,
    payload: Mapping[str, Any],
) -> bool:
    """Record one received message in the caller's transaction; False if the key was seen."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    inserted = connection.execute(
        dialect.insert(RECEIPTS)
        .values(
            channel=channel,
            idempotency_key=key,
            recipient=recipient,
            payload=dict(payload),
            received_at=clock.now(),
        )
        .on_conflict_do_nothing()
        .returning(RECEIPTS.c.idempotency_key)
    ).first()
    return inserted is not None


@dataclass(frozen=True)
class Receipt:
    channel: str
    key: str
    recipient: str
    payload: dict[str, Any]
    received_at: datetime


def receipts(engine: Engine, channel: str, limit: int = 1000) -> list[Receipt]:
    """What a local channel received, newest first (development pages, tests, demos)."""
    c = RECEIPTS.c
    with engine.connect() as connection:
        rows = connection.execute(
            select(c.channel, c.idempotency_key, c.recipient, c.payload, c.received_at)
            .where(c.channel == channel)
            .order_by(c.received_at.desc(), c.idempotency_key)
            .limit(limit)
        ).all()
    return [Receipt(r[0], r[1], r[2], dict(r[3]), r[4]) for r in rows]
