"""Reading and seeding policy data (SPEC §3, STYLE "Policy is data")."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from amina.adapters.db.models import PolicyVersionRow
from amina.adapters.db.uow import UnitOfWork
from amina.domain.policy import (
    INITIAL_POLICY_DOCUMENT,
    INITIAL_POLICY_VERSION,
    Policy,
    PolicyBook,
)
from amina.services.clock import Clock


def policy_book(uow: UnitOfWork) -> PolicyBook:
    """Every policy version. Anyone may call it: policy is public."""
    rows = uow.session.scalars(select(PolicyVersionRow)).all()
    if not rows:
        return PolicyBook(
            [Policy.from_doc(INITIAL_POLICY_VERSION, date(2025, 9, 1), INITIAL_POLICY_DOCUMENT)]
        )
    return PolicyBook(Policy.from_doc(r.version, r.effective_from, r.document) for r in rows)


def ensure_initial_policy(uow: UnitOfWork, clock: Clock) -> bool:
    """Store the initial policy version if the table is empty. Returns True if it did."""
    if uow.session.scalar(select(PolicyVersionRow.version).limit(1)) is not None:
        return False
    uow.session.add(
        PolicyVersionRow(
            version=INITIAL_POLICY_VERSION,
            effective_from=date(2025, 9, 1),
            document=INITIAL_POLICY_DOCUMENT,
            created_at=clock.now(),
            created_by=None,
            reason="Initial policy: SPEC §3 phases, §6 retention, §7 deadlines",
        )
    )
    return True
