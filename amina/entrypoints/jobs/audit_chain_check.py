"""Daily job: verify the audit chain and publish whether it is intact (counts only)."""

from __future__ import annotations

import structlog

from amina.entrypoints.jobs.scheduler import JobContext
from amina.services.audit.trail import verify_audit_chain

log = structlog.get_logger("amina.jobs")


def audit_chain_check(context: JobContext) -> str:
    """Set ``amina_audit_chain_intact`` to 1 or 0 and ``amina_audit_chain_entries`` to the
    number of entries checked; a broken chain is logged with the first broken sequence number."""
    with context.container.uow() as uow:
        report = verify_audit_chain(uow)
    context.metrics.gauge(
        "amina_audit_chain_intact", "1 if the last audit chain check found every link intact"
    ).set(1 if report.intact else 0)
    context.metrics.gauge(
        "amina_audit_chain_entries", "Audit entries checked by the last audit chain check"
    ).set(report.entries_checked)
    if not report.intact:
        log.error("audit_chain_broken", first_broken_seq=report.first_broken_seq)
        return f"broken at seq {report.first_broken_seq}; {report.entries_checked} intact before"
    return f"intact; {report.entries_checked} entries"
