"""Web push subscriptions of the person's app (one per browser; the app re-sends it when the
browser renews it).

Only endpoints at the known push services are taken (:class:`PushEndpoints`), and a person
keeps at most ``limit`` active subscriptions: a new browser beyond that replaces the one
subscribed longest ago, so the outbox never fans out to an unbounded list.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from amina.adapters.db.delivery.tables import PushSubscriptionRow
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.services.clock import Clock
from amina.services.delivery.push_endpoints import PushEndpoints

#: Active subscriptions a person may have at once (settings ``push_subscriptions_per_person``).
DEFAULT_LIMIT = 5


@dataclass(frozen=True)
class PushSubscription:
    id: str
    endpoint: str
    created_at: datetime


def subscribe(
    uow: UnitOfWorkFactory,
    clock: Clock,
    person_id: str,
    endpoint: str,
    p256dh: str,
    auth: str,
    *,
    endpoints: PushEndpoints,
    limit: int = DEFAULT_LIMIT,
) -> PushSubscription:
    """Store (or renew) the browser's subscription; the signed-in person only. The same
    endpoint again updates its keys and makes it active again. Raises
    ``push_endpoint_refused`` for an endpoint that is not at a known push service."""
    endpoints.check(endpoint)
    with uow() as work:
        row = work.session.scalar(
            select(PushSubscriptionRow).where(
                PushSubscriptionRow.person_id == person_id, PushSubscriptionRow.endpoint == endpoint
            )
        )
        now = clock.now()
        if row is None:
            row = PushSubscriptionRow(
                person_id=person_id, id=str(uuid.uuid4()), endpoint=endpoint, created_at=now
            )
            work.session.add(row)
        row.p256dh = p256dh
        row.auth = auth
        row.revoked_at = None
        work.session.flush()
        _keep_within(work, person_id, max(limit, 1), keep=row.id, now=now)
        subscription = PushSubscription(row.id, row.endpoint, row.created_at)
        work.commit()
    return subscription


def unsubscribe(uow: UnitOfWorkFactory, clock: Clock, person_id: str, subscription_id: str) -> bool:
    """Stop pushing to one browser; False if there is no such subscription."""
    with uow() as work:
        row = work.session.get(PushSubscriptionRow, (person_id, subscription_id))
        if row is None:
            return False
        if row.revoked_at is None:
            row.revoked_at = clock.now()
        work.commit()
    return True


def _keep_within(uow: UnitOfWork, person_id: str, limit: int, *, keep: str, now: datetime) -> None:
    active = PushSubscriptionRow.person_id == person_id, PushSubscriptionRow.revoked_at.is_(None)
    count = int(uow.session.scalar(select(func.count()).where(*active)) or 0)
    if count <= limit:
        return
    oldest = uow.session.scalars(
        select(PushSubscriptionRow)
        .where(*active, PushSubscriptionRow.id != keep)
        .order_by(PushSubscriptionRow.created_at, PushSubscriptionRow.id)
        .limit(count - limit)
    ).all()
    for old in oldest:
        old.revoked_at = now
