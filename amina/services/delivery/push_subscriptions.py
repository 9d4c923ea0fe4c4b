"""Web push subscriptions of the person's app (one per browser; the app re-sends it when the
browser renews it)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from amina.adapters.db.delivery.tables import PushSubscriptionRow
from amina.adapters.db.uow import UnitOfWorkFactory
from amina.services.clock import Clock


@dataclass(frozen=True)
class PushSubscription:
    id: str
    endpoint: str
    created_at: datetime


def subscribe(
    uow: UnitOfWorkFactory, clock: Clock, person_id: str, endpoint: str, p256dh: str, auth: str
) -> PushSubscription:
    """Store (or renew) the browser's subscription; the signed-in person only. The same
    endpoint again updates its keys and makes it active again."""
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
