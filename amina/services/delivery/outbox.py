"""The outbox worker's use case: claim due messages, send them, record the outcome.

1. **Claim** (one short transaction): due rows — not sent, not given up, ``next_attempt_at``
   reached — are found, then locked one person at a time (``FOR UPDATE SKIP LOCKED`` on
   PostgreSQL with ``person_id =``, so several workers never take the same row and a Citus
   cluster routes each lock to one shard; SQLite serialises writers with ``BEGIN IMMEDIATE``),
   their attempt is counted and ``next_attempt_at`` is pushed ``claim_for`` ahead: a lease. A
   worker that dies after claiming leaves the rows to be claimed again when the lease runs out.
2. **Send** each row through its channel's port, outside any transaction, with the row's
   idempotency key.
3. **Record** (one short transaction per row): ``sent_at``, or the error's class and the next
   attempt after an exponential back-off (:func:`amina.domain.delivery.backoff`), or give up.

A crash between 2 and 3 means the row is sent again after the lease: the receiver recognises
the key and keeps one copy (at-least-once sending, exactly-once receiving per channel).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import structlog
from sqlalchemy import Table, func, insert, select, update

from amina.adapters.db.compliance.tables import ReferralRow
from amina.adapters.db.delivery.tables import OutboxRow, PushSubscriptionRow
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.domain.decisions import ReferralStatus
from amina.domain.delivery import Channel, backoff, gives_up
from amina.services.clock import Clock
from amina.services.delivery.channels import (
    DeliveryChannels,
    DeliveryFailed,
    PushTarget,
    RecipientGone,
)

log = structlog.get_logger("amina.outbox")

#: How long a claimed row belongs to the worker that claimed it.
CLAIM_FOR = timedelta(minutes=2)

#: Set after a commit that put something urgent (a sign-in code) in the outbox: the worker of
#: this process wakes up at once instead of at its next round (entrypoints/jobs/outbox.py).
WORKER_WAKE = threading.Event()

#: What a use case calls after committing an urgent message: wake the worker (or, in tests,
#: deliver it there and then).
WakeOutbox = Callable[[], None]


def wake_worker() -> None:
    WORKER_WAKE.set()


def hand_over_sms(
    uow: UnitOfWork, key: str, partition: str, to: str | None, text: str, now: datetime
) -> None:
    """Put one SMS in the outbox, in the caller's transaction. ``to`` None writes the same row
    already given up (``no_recipient``) with nothing in it, so that a caller who must not
    reveal whether there is a recipient (a sign-in code for an unknown card) does the same
    work either way."""
    # One statement, the same for both cases (Core, every column named: the ORM's bulk
    # insert would leave out the columns that are None and so differ between them).
    uow.session.execute(
        insert(cast(Table, OutboxRow.__table__)).values(
            person_id=partition,
            id=str(uuid.uuid4()),
            channel=Channel.sms.value,
            idempotency_key=key,
            payload={"to": to or "", "text": text if to else ""},
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            sent_at=None,
            gave_up_at=None if to else now,
            last_error=None if to else "no_recipient",
        )
    )


@dataclass(frozen=True)
class Claimed:
    person_id: str
    id: str
    channel: Channel
    key: str
    payload: dict[str, Any]
    attempts: int


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    gave_up: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.failed + self.gave_up


def claim_due(
    uow: UnitOfWork,
    clock: Clock,
    limit: int,
    claim_for: timedelta = CLAIM_FOR,
    key_prefix: str | None = None,
) -> list[Claimed]:
    """Lock and lease up to ``limit`` due rows in the caller's transaction (the worker only);
    only those whose key starts with ``key_prefix`` if given.

    The due rows are found first without a lock, then locked person by person (``person_id =
    …`` in every locking statement): a distributed database (Citus, docs/scale-out.md) locks
    rows only within one person's shard. A row another worker claimed in between is skipped
    (``SKIP LOCKED``) or, once leased, no longer due."""
    now = clock.now()
    due = (
        OutboxRow.sent_at.is_(None),
        OutboxRow.gave_up_at.is_(None),
        OutboxRow.next_attempt_at <= now,
        *([OutboxRow.idempotency_key.startswith(key_prefix)] if key_prefix else []),
    )
    found = uow.session.execute(
        select(OutboxRow.person_id, OutboxRow.id)
        .where(*due)
        .order_by(OutboxRow.next_attempt_at)
        .limit(limit)
    ).all()
    by_person: dict[str, list[str]] = {}
    for person_id, row_id in found:
        by_person.setdefault(person_id, []).append(row_id)
    claimed: list[Claimed] = []
    for person_id, ids in by_person.items():
        query = select(OutboxRow).where(
            OutboxRow.person_id == person_id, OutboxRow.id.in_(ids), *due
        )
        if uow.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        for row in uow.session.scalars(query).all():
            row.attempts += 1
            row.next_attempt_at = now + claim_for
            claimed.append(
                Claimed(
                    row.person_id,
                    row.id,
                    Channel(row.channel),
                    row.idempotency_key,
                    dict(row.payload),
                    row.attempts,
                )
            )
    uow.session.flush()
    order = {row_id: place for place, (_, row_id) in enumerate(found)}
    return sorted(claimed, key=lambda message: order[message.id])


def _send(uow_factory: UnitOfWorkFactory, channels: DeliveryChannels, message: Claimed) -> None:
    payload = message.payload
    if message.channel is Channel.sms:
        channels.sms.send(str(payload["to"]), str(payload["text"]), message.key)
    elif message.channel is Channel.push:
        with uow_factory() as uow:
            subscription = uow.session.get(
                PushSubscriptionRow, (message.person_id, str(payload["subscription_id"]))
            )
            if subscription is None or subscription.revoked_at is not None:
                raise RecipientGone("subscription revoked")
            target = PushTarget(subscription.endpoint, subscription.p256dh, subscription.auth)
        notification: dict[str, Any] = {
            k: payload[k] for k in ("title", "body", "url", "tag") if k in payload
        }
        channels.push.push(target, notification, message.key)
    else:
        channels.registry.submit(dict(payload), message.key)


def _record_sent(uow: UnitOfWork, clock: Clock, message: Claimed) -> None:
    now = clock.now()
    uow.session.execute(
        update(OutboxRow)
        .where(OutboxRow.person_id == message.person_id, OutboxRow.id == message.id)
        .values(sent_at=now, last_error=None)
        .execution_options(synchronize_session=False)
    )
    referral_id = message.payload.get("referral_id")
    if message.channel is Channel.registry and message.payload.get("type") == "referral":
        uow.session.execute(
            update(ReferralRow)
            .where(
                ReferralRow.person_id == message.person_id,
                ReferralRow.id == referral_id,
                ReferralRow.status == ReferralStatus.confirmed.value,
            )
            .values(status=ReferralStatus.sent.value, sent_at=now)
            .execution_options(synchronize_session=False)
        )


def _record_failure(uow: UnitOfWork, clock: Clock, message: Claimed, error: Exception) -> bool:
    """Schedule the next attempt or give up; True if given up."""
    now = clock.now()
    final = isinstance(error, RecipientGone) or gives_up(message.attempts)
    values: dict[str, Any] = {"last_error": type(error).__name__[:200]}
    if final:
        values["gave_up_at"] = now
    else:
        values["next_attempt_at"] = now + backoff(message.attempts)
    uow.session.execute(
        update(OutboxRow)
        .where(OutboxRow.person_id == message.person_id, OutboxRow.id == message.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if isinstance(error, RecipientGone) and message.channel is Channel.push:
        uow.session.execute(
            update(PushSubscriptionRow)
            .where(
                PushSubscriptionRow.person_id == message.person_id,
                PushSubscriptionRow.id == str(message.payload.get("subscription_id")),
                PushSubscriptionRow.revoked_at.is_(None),
            )
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        )
    return final


def deliver_due(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    channels: DeliveryChannels,
    *,
    limit: int = 100,
    claim_for: timedelta = CLAIM_FOR,
    key_prefix: str | None = None,
) -> DeliveryReport:
    """Send up to ``limit`` due messages (the outbox worker, the scheduler and
    ``amina outbox run`` call it). Logs counts only, never a recipient or a text."""
    with uow_factory() as uow:
        claimed = claim_due(uow, clock, limit, claim_for, key_prefix)
        uow.commit()
    report = DeliveryReport()
    for message in claimed:
        try:
            _send(uow_factory, channels, message)
        except Exception as error:
            with uow_factory() as uow:
                final = _record_failure(uow, clock, message, error)
                uow.commit()
            if final:
                report.gave_up += 1
            else:
                report.failed += 1
            log.warning(
                "outbox.send_failed",
                channel=message.channel.value,
                attempts=message.attempts,
                error=type(error).__name__,
                gave_up=final,
            )
            continue
        with uow_factory() as uow:
            _record_sent(uow, clock, message)
            uow.commit()
        report.sent += 1
    return report


def pending_count(uow: UnitOfWork) -> int:
    """Messages not yet sent and not given up (for metrics and the CLI)."""
    return int(
        uow.session.scalar(
            select(func.count())
            .select_from(OutboxRow)
            .where(OutboxRow.sent_at.is_(None), OutboxRow.gave_up_at.is_(None))
        )
        or 0
    )


__all__ = ["DeliveryFailed", "DeliveryReport", "claim_due", "deliver_due", "pending_count"]
