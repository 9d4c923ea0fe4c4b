"""``audit-checkpoint`` (recurring, hourly): sign the audit chain's head and write the
checkpoint outside the database (docs/operations.md, "Signed audit checkpoints").

Each round signs only what was added since the last checkpoint; a round with nothing new writes
nothing, so it is safe to repeat or cut short. Counts only in logs and metrics.
"""

from __future__ import annotations

from datetime import timedelta

import structlog

from amina.entrypoints.jobs.scheduler import JobContext, RecurringJob
from amina.services.audit.checkpoints import Outcome, write_checkpoint

log = structlog.get_logger("amina.jobs")


def audit_checkpoint(context: JobContext) -> str:
    """Write a checkpoint if entries were added; set ``amina_audit_checkpoint_entries`` to the
    entries the newest checkpoint covers. A refusal (the chain disagrees with the last
    checkpoint) is logged as an error with the entry found wrong."""
    container = context.container
    result = write_checkpoint(container.uow, container.clock, container.audit_checkpoints)
    if result.outcome is Outcome.no_key:
        log.warning("audit_checkpoint_skipped", reason="no_signing_key")
        return "no signing key"
    if result.outcome is Outcome.refused:
        log.error("audit_checkpoint_refused", reason=result.reason, seq=result.seq)
        return f"refused: {result.reason} at entry {result.seq}"
    covered = 0 if result.head is None else result.head.count
    context.metrics.gauge(
        "amina_audit_checkpoint_entries", "Audit entries covered by the newest signed checkpoint"
    ).set(covered)
    if result.outcome is Outcome.written:
        log.info("audit_checkpoint_written", entries=covered)
        return f"checkpoint of {covered} entries written"
    return f"unchanged; {covered} entries signed"


CHECKPOINT_JOB = RecurringJob("audit-checkpoint", timedelta(hours=1), audit_checkpoint)
