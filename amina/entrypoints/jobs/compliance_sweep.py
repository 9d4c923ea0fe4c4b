"""Working-day job: the daily compliance sweep (reminders, notices, cases)."""

from __future__ import annotations

from datetime import time

import structlog

from amina.entrypoints.jobs.scheduler import Job, JobContext
from amina.services.compliance.sweep import sweep

log = structlog.get_logger("amina.jobs")

#: Moscow time of day the sweep runs: early enough that a notice is read the same morning,
#: late enough that SMS do not wake anyone.
SWEEP_AT = time(9, 0)


def compliance_sweep(context: JobContext) -> str:
    """Run the sweep for the day the scheduler runs it for; publish its counts as gauges."""
    container = context.container
    report = sweep(container.uow, container.clock, context.run_for)
    for name, value, documentation in (
        ("amina_sweep_reminders", report.reminders, "Reminders issued by the last sweep"),
        ("amina_sweep_notices", report.notices, "Notices issued by the last sweep"),
        ("amina_sweep_cases", report.cases, "Cases opened by the last sweep"),
        ("amina_sweep_resolved", report.resolved, "Notices resolved by reports in the last sweep"),
    ):
        context.metrics.gauge(name, documentation).set(value)
    return report.summary()


SWEEP_JOB = Job("compliance-sweep", SWEEP_AT, compliance_sweep, working_days_only=True)
