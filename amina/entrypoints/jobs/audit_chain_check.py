"""Daily job: verify the audit chain, against its signed checkpoints too, and publish whether
it is sound (counts only)."""

from __future__ import annotations

import structlog

from amina.entrypoints.jobs.scheduler import JobContext
from amina.services.audit.checkpoints import verify_audit_log

log = structlog.get_logger("amina.jobs")


def audit_chain_check(context: JobContext) -> str:
    """Set ``amina_audit_chain_intact`` to 1 when every link holds and the chain matches every
    signed checkpoint (else 0) and ``amina_audit_chain_entries`` to the number of entries whose
    links were checked. A break, a cut, a rewrite or a bad checkpoint is logged with sequence
    numbers and counts."""
    container = context.container
    with container.uow() as uow:
        report = verify_audit_log(uow, container.audit_checkpoints)
    chain = report.chain
    context.metrics.gauge(
        "amina_audit_chain_intact",
        "1 if the last audit chain check found every link intact and the chain matching every "
        "signed checkpoint",
    ).set(1 if report.sound else 0)
    context.metrics.gauge(
        "amina_audit_chain_entries", "Audit entries checked by the last audit chain check"
    ).set(chain.entries_checked)
    problems = []
    if not chain.intact:
        log.error("audit_chain_broken", first_broken_seq=chain.first_broken_seq)
        problems.append(f"broken at seq {chain.first_broken_seq}")
    if report.truncation is not None:
        log.error(
            "audit_chain_truncated",
            entries=report.truncation.entries,
            checkpoint_count=report.truncation.checkpoint_count,
        )
        problems.append(
            f"truncated: {report.truncation.entries} entries, "
            f"{report.truncation.checkpoint_count} signed"
        )
    if report.rewrite is not None:
        log.error("audit_chain_rewritten", first_differing=report.rewrite.first_differing)
        problems.append(f"rewritten from entry {report.rewrite.first_differing}")
    if report.untrusted or report.gaps:
        log.error(
            "audit_checkpoints_untrusted", untrusted=len(report.untrusted), gaps=len(report.gaps)
        )
        problems.append(f"{len(report.untrusted) + len(report.gaps)} checkpoint problem(s)")
    if problems:
        return "; ".join(problems) + f"; {chain.entries_checked} intact before"
    return f"intact; {chain.entries_checked} entries; {report.checkpoints} checkpoint(s) match"
