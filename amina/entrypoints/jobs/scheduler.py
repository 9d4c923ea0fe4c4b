"""The scheduler inside `amina serve`: jobs at a Moscow time of day, on working days or every
day, run by exactly one leader among all replicas.

Leadership is a row in ``scheduler_lease``: a replica holds it until ``expires_at`` and renews it
while it leads. Taking it is one conditional statement (UPDATE … WHERE the lease is ours or has
expired, or INSERT … ON CONFLICT DO NOTHING when there is no row yet) whose row count says who
won, so SQLite and PostgreSQL give the same answer under concurrency. A leader that dies stops
renewing; another replica takes over once the lease has expired.

Each run is a ``job_runs`` row, unique per (job, Moscow day): claiming it is an INSERT, so a
day's job runs once even if the leader changes during the day.
"""

from __future__ import annotations

import os
import socket
import threading
import time as monotonic_time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import structlog
from prometheus_client import CollectorRegistry, Counter, Gauge
from sqlalchemy import Engine, Table, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from amina.adapters.db.jobs.tables import SchedulerLeaseRow
from amina.domain.calendar import MOSCOW, moscow_date
from amina.services.clock import Clock
from amina.services.jobs.runs import claim_job_run, finish_job_run
from amina.services.policy.calendar import working_calendar

if TYPE_CHECKING:
    from amina.bootstrap import Container

log = structlog.get_logger("amina.jobs")

# SQLAlchemy types a mapped class's __table__ as any FromClause; for a declared table it is a Table.
LEASE_TABLE: Table = SchedulerLeaseRow.__table__  # type: ignore[assignment]

#: How long a leader holds the lease without renewing it; a dead leader is replaced after this.
DEFAULT_LEASE = timedelta(seconds=30)
#: How often a replica renews (or tries to take) the lease and looks for due jobs.
DEFAULT_TICK = timedelta(seconds=5)


def default_holder() -> str:
    """A name unique to this process: host, pid and a random suffix (pids are reused)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class LeaderLease:
    """The ``scheduler_lease`` row named ``name``: acquire when free or expired, renew while
    leading, release on stop."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        *,
        name: str = "scheduler",
        holder: str | None = None,
        duration: timedelta = DEFAULT_LEASE,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.name = name
        self.holder = holder or default_holder()
        self.duration = duration
        self._held_until: datetime | None = None

    def acquire(self) -> bool:
        """Take the lease if it is free or expired, or renew it if we hold it. True if we lead."""
        now = self.clock.now()
        expires_at = now + self.duration
        lease = LEASE_TABLE.c
        with self.engine.begin() as connection:
            taken = connection.execute(
                update(LEASE_TABLE)
                .where(lease.name == self.name)
                .where(or_(lease.holder == self.holder, lease.expires_at < now))
                .values(holder=self.holder, expires_at=expires_at)
            ).rowcount
            if taken != 1:
                # RETURNING says whether the row went in (an INSERT's rowcount is not
                # reliable across drivers); nothing comes back when another holder's row exists
                inserted = connection.execute(self._insert_if_absent(expires_at)).first()
                taken = 0 if inserted is None else 1
        self._held_until = expires_at if taken == 1 else None
        return taken == 1

    def _insert_if_absent(self, expires_at: datetime) -> Any:
        values = {"name": self.name, "holder": self.holder, "expires_at": expires_at}
        if self.engine.dialect.name == "postgresql":
            return (
                postgresql.insert(LEASE_TABLE)
                .values(**values)
                .on_conflict_do_nothing(index_elements=["name"])
                .returning(LEASE_TABLE.c.name)
            )
        return (
            sqlite.insert(LEASE_TABLE)
            .values(**values)
            .on_conflict_do_nothing()
            .returning(LEASE_TABLE.c.name)
        )

    @property
    def is_held(self) -> bool:
        """Whether our last acquire or renewal is still valid by the clock."""
        return self._held_until is not None and self.clock.now() < self._held_until

    def release(self) -> None:
        """Give the lease up (only if we hold it), so another replica takes over at once."""
        with self.engine.begin() as connection:
            connection.execute(
                delete(LEASE_TABLE).where(
                    LEASE_TABLE.c.name == self.name, LEASE_TABLE.c.holder == self.holder
                )
            )
        self._held_until = None

    def current_holder(self) -> str | None:
        """Who holds an unexpired lease now, if anyone."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(LEASE_TABLE.c.holder, LEASE_TABLE.c.expires_at).where(
                    LEASE_TABLE.c.name == self.name
                )
            ).first()
        if row is None or row.expires_at <= self.clock.now():
            return None
        return str(row.holder)


@dataclass(frozen=True)
class JobContext:
    """What a job receives: the container (unit of work, clock, gateways), the Moscow day it
    runs for, and the scheduler's metrics."""

    container: Container
    run_for: date
    metrics: JobMetrics


#: A job body. It returns a short summary with counts only (it is logged and stored).
JobBody = Callable[[JobContext], str | None]


@dataclass(frozen=True)
class Job:
    """A job: its name, the Moscow time of day it runs at, and on which days."""

    name: str
    at: time
    body: JobBody
    working_days_only: bool = True

    def is_due(self, now: datetime, is_working_day: bool) -> bool:
        """Due once the Moscow time of day has come, on a working day if it needs one."""
        if self.working_days_only and not is_working_day:
            return False
        return now.astimezone(MOSCOW).time() >= self.at


@dataclass(frozen=True)
class RecurringJob:
    """A job run every ``every`` while this process leads, every day (e.g. outbox delivery).
    It keeps no ``job_runs`` row: each round must be safe to repeat or to cut short."""

    name: str
    every: timedelta
    body: JobBody
    #: When set, a round also starts as soon as this event is set (urgent work), not only
    #: ``every``.
    wake: threading.Event | None = None


@dataclass
class JobMetrics:
    """Prometheus series for the scheduler and its jobs (counts and flags only)."""

    registry: CollectorRegistry
    _gauges: dict[str, Gauge] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.runs = Counter(
            "amina_job_runs_total",
            "Scheduled job runs by job and outcome",
            ["job", "status"],
            registry=self.registry,
        )
        self.leader = Gauge(
            "amina_scheduler_leader",
            "1 while this process holds the scheduler lease",
            registry=self.registry,
        )

    def gauge(self, name: str, documentation: str) -> Gauge:
        """A job's own gauge, created on first use."""
        if name not in self._gauges:
            self._gauges[name] = Gauge(name, documentation, registry=self.registry)
        return self._gauges[name]


class Scheduler:
    """Runs registered jobs while this process leads; ``tick()`` does one round by hand."""

    def __init__(
        self,
        container: Container,
        jobs: list[Job],
        *,
        registry: CollectorRegistry | None = None,
        lease: LeaderLease | None = None,
        tick: timedelta = DEFAULT_TICK,
        recurring: list[RecurringJob] | None = None,
    ) -> None:
        self.container = container
        self.jobs = list(jobs)
        self.recurring = list(recurring or [])
        self.lease = lease or LeaderLease(container.engine, container.clock)
        self.tick_interval = tick
        self.metrics = JobMetrics(registry or CollectorRegistry())
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._was_leading = False

    @property
    def clock(self) -> Clock:
        return self.container.clock

    @property
    def is_leader(self) -> bool:
        return self.lease.is_held

    # -- one round ---------------------------------------------------------------------------

    def keep_lease(self) -> bool:
        """Renew or take the lease. Database errors mean "not leading" until the next round."""
        try:
            leading = self.lease.acquire()
        except Exception as error:
            log.warning("scheduler_lease_error", error=type(error).__name__)
            leading = False
        self.metrics.leader.set(1 if leading else 0)
        if leading != self._was_leading:
            # a change of leader is worth a line: which replica runs the jobs from now on
            log.info(
                "scheduler_lease_taken" if leading else "scheduler_lease_lost",
                holder=self.lease.holder,
            )
            self._was_leading = leading
        return leading

    def run_due_jobs(self) -> list[str]:
        """Run every job that is due today and not yet run for today. Returns their names."""
        ran: list[str] = []
        for job in self.jobs:
            if self._stopping.is_set() or not self.lease.is_held:
                break
            now = self.clock.now()
            today = moscow_date(now)
            with self.container.uow() as uow:
                working = working_calendar(uow).is_working_day(today)
            if job.is_due(now, working) and self._claim(job, today, now):
                self._run(job, today)
                ran.append(job.name)
        return ran

    def tick(self) -> list[str]:
        """Renew the lease and, when leading, run the due jobs (synchronously)."""
        if not self.keep_lease():
            return []
        return self.run_due_jobs()

    def run_recurring(self, job: RecurringJob) -> bool:
        """One round of a recurring job, if this process leads. True if it ran."""
        if not self.lease.is_held:
            return False
        day = moscow_date(self.clock.now())
        try:
            job.body(JobContext(self.container, day, self.metrics))
        except Exception:
            self.metrics.runs.labels(job.name, "failed").inc()
            log.exception("job_failed", job=job.name, run_for=day.isoformat())
            return True
        self.metrics.runs.labels(job.name, "succeeded").inc()
        return True

    def _claim(self, job: Job, day: date, now: datetime) -> bool:
        return claim_job_run(self.container.uow, job.name, day, self.lease.holder, now)

    def _run(self, job: Job, day: date) -> None:
        started = monotonic_time.perf_counter()
        try:
            summary = job.body(JobContext(self.container, day, self.metrics))
            status = "succeeded"
        except Exception as error:
            summary = f"failed: {type(error).__name__}"
            status = "failed"
            log.exception("job_failed", job=job.name, run_for=day.isoformat())
        finish_job_run(
            self.container.uow,
            job.name,
            day,
            status=status,
            summary=summary,
            finished_at=self.clock.now(),
        )
        self.metrics.runs.labels(job.name, status).inc()
        log.info(
            "job_run",
            job=job.name,
            run_for=day.isoformat(),
            status=status,
            summary=summary,
            duration_ms=round((monotonic_time.perf_counter() - started) * 1000, 2),
        )

    # -- background threads ------------------------------------------------------------------

    def start(self) -> None:
        """Keep the lease on one thread and run due jobs on another, so a long job never
        lets the lease lapse."""
        self._stopping.clear()
        self.keep_lease()  # lead from the first moment if nobody else does
        self._threads = [
            threading.Thread(target=self._loop, args=(self.keep_lease,), name="amina-lease"),
            threading.Thread(target=self._loop, args=(self._run_if_leading,), name="amina-jobs"),
        ]
        self._threads += [
            threading.Thread(target=self._loop_every, args=(job,), name=f"amina-{job.name}")
            for job in self.recurring
        ]
        for thread in self._threads:
            thread.daemon = True
            thread.start()
        log.info("scheduler_started", holder=self.lease.holder, jobs=[j.name for j in self.jobs])

    def _run_if_leading(self) -> None:
        if self.lease.is_held:
            self.run_due_jobs()

    def _loop_every(self, job: RecurringJob) -> None:
        while not self._stopping.is_set():
            self.run_recurring(job)
            if job.wake is None:
                self._stopping.wait(job.every.total_seconds())
            else:
                job.wake.wait(job.every.total_seconds())
                job.wake.clear()

    def _loop(self, step: Callable[[], object]) -> None:
        while not self._stopping.is_set():
            try:
                step()
            except Exception:
                log.exception("scheduler_round_failed")
            self._stopping.wait(self.tick_interval.total_seconds())

    def stop(self, *, release: bool = True) -> None:
        """Stop the threads; release the lease unless simulating a crash (``release=False``)."""
        self._stopping.set()
        for job in self.recurring:
            if job.wake is not None:
                job.wake.set()
        for thread in self._threads:
            thread.join(timeout=30)
        self._threads = []
        if release:
            try:
                self.lease.release()
            except Exception as error:
                log.warning("scheduler_release_failed", error=type(error).__name__)
        self.metrics.leader.set(0)
        log.info("scheduler_stopped", holder=self.lease.holder, released=release)
