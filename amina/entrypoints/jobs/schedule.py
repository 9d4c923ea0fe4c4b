"""Which jobs `amina serve` runs, and when (Moscow time). Features add their jobs here."""

from __future__ import annotations

from datetime import time, timedelta
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry

from amina.entrypoints.jobs.scheduler import Job, LeaderLease, RecurringJob, Scheduler

if TYPE_CHECKING:
    from amina.bootstrap import Container


def scheduled_jobs() -> list[Job]:
    # Imported here so that each job's dependencies load only when a scheduler starts.
    from amina.entrypoints.jobs.audit_chain_check import audit_chain_check
    from amina.entrypoints.jobs.booking import SLOTS_JOB
    from amina.entrypoints.jobs.compliance_sweep import SWEEP_JOB
    from amina.entrypoints.jobs.idempotency_expiry import idempotency_expiry
    from amina.entrypoints.jobs.patent import REMINDER_JOB
    from amina.entrypoints.jobs.report_storage import PARTITION_JOB, RETENTION_JOB
    from amina.entrypoints.jobs.sign_in_cleanup import sign_in_cleanup

    return [
        Job("audit-chain-check", time(3, 0), audit_chain_check, working_days_only=False),
        SWEEP_JOB,
        PARTITION_JOB,
        RETENTION_JOB,
        Job("sign-in-cleanup", time(4, 30), sign_in_cleanup, working_days_only=False),
        Job("idempotency-expiry", time(4, 45), idempotency_expiry, working_days_only=False),
        REMINDER_JOB,
        SLOTS_JOB,
    ]


def recurring_jobs() -> list[RecurringJob]:
    from amina.entrypoints.jobs.audit_checkpoint import CHECKPOINT_JOB
    from amina.entrypoints.jobs.booking import HOLDS_JOB, REMINDERS_JOB
    from amina.entrypoints.jobs.check_in import CHECK_IN_JOB
    from amina.entrypoints.jobs.outbox import OUTBOX_JOB
    from amina.entrypoints.jobs.patent import RECONCILIATION_JOB

    return [
        OUTBOX_JOB,
        RECONCILIATION_JOB,
        HOLDS_JOB,
        REMINDERS_JOB,
        CHECKPOINT_JOB,
        CHECK_IN_JOB,
    ]


def start_scheduler(container: Container, registry: CollectorRegistry) -> Scheduler:
    """Build the scheduler with every scheduled job and start its threads; the lease and
    the tick come from the settings (30 s and 5 s unless a test shortens them)."""
    settings = container.settings
    lease = LeaderLease(
        container.engine,
        container.clock,
        duration=timedelta(seconds=settings.scheduler_lease_seconds),
    )
    scheduler = Scheduler(
        container,
        scheduled_jobs(),
        registry=registry,
        lease=lease,
        tick=timedelta(seconds=settings.scheduler_tick_seconds),
        recurring=recurring_jobs(),
    )
    scheduler.start()
    return scheduler
