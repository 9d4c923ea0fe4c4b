"""Daily job: forget remembered Idempotency-Key answers past the policy's retention."""

from __future__ import annotations

from amina.domain.calendar import moscow_date
from amina.entrypoints.jobs.scheduler import JobContext
from amina.services.idempotency import forget_old_keys
from amina.services.policy.versions import policy_book


def idempotency_expiry(context: JobContext) -> str:
    container = context.container
    with container.uow() as uow:
        policy = policy_book(uow).in_force_on(moscow_date(container.clock.now()))
    keep_days = int(policy.parameters.get("idempotency_key_retention_days", 7))
    gone = forget_old_keys(container.uow, container.clock, keep_days)
    return f"{gone} idempotency answer(s) older than {keep_days} days forgotten"
