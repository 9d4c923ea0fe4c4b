"""Which jobs `amina serve` runs, and when (Moscow time). Features add their jobs here."""

from __future__ import annotations

from datetime import time
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry

from amina.jobs.scheduler import Job, Scheduler

if TYPE_CHECKING:
    from amina.bootstrap import Container


def scheduled_jobs() -> list[Job]:
    # Imported here so that each job's dependencies load only when a scheduler starts.
    from amina.jobs.audit_chain_check import audit_chain_check

    return [
        Job("audit-chain-check", time(3, 0), audit_chain_check, working_days_only=False),
    ]


def start_scheduler(container: Container, registry: CollectorRegistry) -> Scheduler:
    """Build the scheduler with every scheduled job and start its threads."""
    scheduler = Scheduler(container, scheduled_jobs(), registry=registry)
    scheduler.start()
    return scheduler
