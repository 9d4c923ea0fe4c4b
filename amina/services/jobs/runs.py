"""A daily job's run for a Moscow day: claimed once (the ``job_runs`` row is unique per job
and day, so a day's job runs once even if the scheduler's leader changes during the day), then
marked succeeded or failed with its summary (counts only). The system only: the scheduler in
``amina/entrypoints/jobs/scheduler.py`` calls these."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from amina.adapters.db.jobs.tables import JobRunRow
from amina.adapters.db.uow import UnitOfWorkFactory


def claim_job_run(
    uow_factory: UnitOfWorkFactory, job: str, day: date, holder: str, now: datetime
) -> bool:
    """Claim ``job``'s run for ``day``. False when it was already claimed, by this holder or
    an earlier leader."""
    try:
        with uow_factory() as uow:
            uow.session.add(
                JobRunRow(
                    job=job, run_for_date=day, holder=holder, status="running", started_at=now
                )
            )
            uow.commit()
    except IntegrityError:
        return False
    return True


def finish_job_run(
    uow_factory: UnitOfWorkFactory,
    job: str,
    day: date,
    *,
    status: str,
    summary: str | None,
    finished_at: datetime,
) -> None:
    """Record how ``job``'s run for ``day`` ended: ``succeeded`` or ``failed``, with its
    summary."""
    with uow_factory() as uow:
        uow.session.execute(
            update(JobRunRow)
            .where(JobRunRow.job == job, JobRunRow.run_for_date == day)
            .values(status=status, finished_at=finished_at, summary=summary)
        )
        uow.commit()
