"""The scheduler's leader lease and its jobs, on SQLite and PostgreSQL.

Several schedulers share one database the way replicas of `amina serve` do: each has its own
engine (its own connections) and its own holder name.
"""

from __future__ import annotations

import threading
import time as wall_clock
from collections.abc import Callable, Iterator
from datetime import datetime, time, timedelta

import pytest
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry

from amina.adapters.clock import SystemClock
from amina.bootstrap import Container, build
from amina.entrypoints.asgi import served_app
from amina.entrypoints.jobs.audit_chain_check import audit_chain_check
from amina.entrypoints.jobs.scheduler import Job, JobContext, LeaderLease, Scheduler
from amina.services.audit.trail import SYSTEM, record_access
from amina.services.clock import Clock, FixedClock
from amina.settings import Environment, Settings

LEASE = timedelta(seconds=30)


@pytest.fixture
def replicas(database_url: str) -> Iterator[Callable[[Clock], Container]]:
    """Build containers on the same database, as separate replicas would."""
    built: list[Container] = []

    def replica(clock: Clock) -> Container:
        settings = Settings(env=Environment.test, database_url=database_url, scheduler=False)
        container = build(settings, clock=clock)
        built.append(container)
        return container

    yield replica
    for container in built:
        container.engine.dispose()


def scheduler(container: Container, name: str, jobs: list[Job] | None = None) -> Scheduler:
    lease = LeaderLease(container.engine, container.clock, holder=name, duration=LEASE)
    return Scheduler(container, jobs or [], lease=lease, tick=timedelta(milliseconds=50))


def test_two_schedulers_on_one_database_have_exactly_one_leader(
    replicas: Callable[[Clock], Container], clock: FixedClock
) -> None:
    first = scheduler(replicas(clock), "replica-a")
    second = scheduler(replicas(clock), "replica-b")
    for _ in range(3):
        first.tick()
        second.tick()
        assert (first.is_leader, second.is_leader) == (True, False)
        clock.advance(timedelta(seconds=10))
    assert first.lease.current_holder() == "replica-a"


def test_when_the_leader_dies_another_takes_over_once_the_lease_expires(
    replicas: Callable[[Clock], Container], clock: FixedClock
) -> None:
    first = scheduler(replicas(clock), "replica-a")
    second = scheduler(replicas(clock), "replica-b")
    first.tick()
    # replica-a is killed: it neither renews nor releases its lease
    clock.advance(LEASE - timedelta(seconds=1))
    second.tick()
    assert not second.is_leader
    clock.advance(timedelta(seconds=2))
    second.tick()
    assert second.is_leader
    assert second.lease.current_holder() == "replica-b"
    # a leader that comes back after its lease ran out does not lead again
    first.tick()
    assert not first.is_leader


def test_a_leader_that_stops_cleanly_hands_over_at_once(
    replicas: Callable[[Clock], Container], clock: FixedClock
) -> None:
    first = scheduler(replicas(clock), "replica-a")
    second = scheduler(replicas(clock), "replica-b")
    first.tick()
    first.stop()
    second.tick()
    assert second.is_leader


def test_of_many_replicas_racing_for_a_free_lease_exactly_one_wins(
    replicas: Callable[[Clock], Container], clock: FixedClock
) -> None:
    leases = [
        LeaderLease(replicas(clock).engine, clock, holder=f"replica-{n}", duration=LEASE)
        for n in range(6)
    ]
    start = threading.Barrier(len(leases))
    won: list[bool] = []

    def race(lease: LeaderLease) -> None:
        start.wait()
        won.append(lease.acquire())

    threads = [threading.Thread(target=race, args=(lease,)) for lease in leases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(won) == [False] * 5 + [True]


def wait_for(condition: Callable[[], bool], seconds: float) -> float:
    """Poll ``condition`` until it holds; return how long that took."""
    started = wall_clock.monotonic()
    while not condition():
        if wall_clock.monotonic() - started > seconds:
            pytest.fail(f"not within {seconds} s")
        wall_clock.sleep(0.05)
    return wall_clock.monotonic() - started


def test_running_schedulers_take_over_within_the_lease_time_after_a_kill(
    replicas: Callable[[Clock], Container],
) -> None:
    lease = timedelta(seconds=1)
    running = []
    for name in ("replica-a", "replica-b"):
        container = replicas(SystemClock())
        running.append(
            Scheduler(
                container,
                [],
                lease=LeaderLease(container.engine, container.clock, holder=name, duration=lease),
                tick=timedelta(milliseconds=100),
            )
        )
    for replica in running:
        replica.start()
    try:
        wait_for(lambda: any(r.is_leader for r in running), 2)
        wall_clock.sleep(0.3)
        assert [r.is_leader for r in running].count(True) == 1
        leader = next(r for r in running if r.is_leader)
        follower = next(r for r in running if not r.is_leader)
        leader.stop(release=False)  # killed: the lease row stays until it expires
        took = wait_for(lambda: follower.is_leader, 5)
        # at most the lease time plus one tick (and some slack for a busy machine)
        assert took <= lease.total_seconds() + 1.0
    finally:
        for replica in running:
            replica.stop()


def counting_job(name: str, at: time, *, working_days_only: bool = True) -> tuple[Job, list[str]]:
    runs: list[str] = []

    def body(context: JobContext) -> str:
        runs.append(context.run_for.isoformat())
        return "counted"

    return Job(name, at, body, working_days_only=working_days_only), runs


def moscow(text: str) -> datetime:
    return datetime.fromisoformat(text + "+03:00")


def test_a_working_day_job_skips_3_november_2025_and_runs_on_the_working_saturday(
    replicas: Callable[[Clock], Container], clock: FixedClock
) -> None:
    job, runs = counting_job("sweep", time(9, 0))
    replica = scheduler(replicas(clock), "replica-a", [job])
    clock.set(moscow("2025-11-03T10:00:00"))  # Monday, a day off
    replica.tick()
    clock.set(moscow("2025-11-01T08:59:00"))  # working Saturday, before the job's time
    replica.tick()
    assert runs == []
    clock.set(moscow("2025-11-01T09:00:00"))
    replica.tick()
    assert runs == ["2025-11-01"]


def test_an_every_day_job_runs_on_a_day_off_too(
    replicas: Callable[[Clock], Container], clock: FixedClock
) -> None:
    job, runs = counting_job("daily", time(3, 0), working_days_only=False)
    replica = scheduler(replicas(clock), "replica-a", [job])
    clock.set(moscow("2025-11-04T03:00:00"))  # Unity Day
    replica.tick()
    assert runs == ["2025-11-04"]


def test_a_days_job_runs_once_even_when_the_leader_changes(
    replicas: Callable[[Clock], Container], clock: FixedClock
) -> None:
    job, runs = counting_job("sweep", time(9, 0))
    clock.set(moscow("2025-11-05T09:30:00"))
    first = scheduler(replicas(clock), "replica-a", [job])
    second = scheduler(replicas(clock), "replica-b", [job])
    first.tick()
    first.tick()
    clock.advance(LEASE * 2)  # replica-a dies; replica-b takes over the same day
    second.tick()
    assert second.is_leader
    assert runs == ["2025-11-05"]
    clock.set(moscow("2025-11-06T09:00:00"))
    second.tick()
    assert runs == ["2025-11-05", "2025-11-06"]


def test_a_follower_runs_no_jobs(replicas: Callable[[Clock], Container], clock: FixedClock) -> None:
    job, runs = counting_job("sweep", time(0, 0), working_days_only=False)
    scheduler(replicas(clock), "replica-a", []).tick()
    follower = scheduler(replicas(clock), "replica-b", [job])
    follower.tick()
    assert runs == []


def test_a_failing_job_is_counted_and_does_not_stop_the_others(
    replicas: Callable[[Clock], Container], clock: FixedClock
) -> None:
    def broken(_context: JobContext) -> str:
        raise RuntimeError("boom")

    job, runs = counting_job("after", time(0, 0), working_days_only=False)
    registry = CollectorRegistry()
    container = replicas(clock)
    replica = Scheduler(
        container,
        [Job("broken", time(0, 0), broken, working_days_only=False), job],
        registry=registry,
        lease=LeaderLease(container.engine, clock, holder="replica-a"),
    )
    assert replica.tick() == ["broken", "after"]
    assert runs == ["2025-11-05"]
    failed = {"job": "broken", "status": "failed"}
    assert registry.get_sample_value("amina_job_runs_total", failed) == 1


def test_the_audit_chain_check_publishes_that_the_chain_is_intact(
    replicas: Callable[[Clock], Container], clock: FixedClock
) -> None:
    container = replicas(clock)
    with container.uow() as uow:
        record_access(uow, clock, SYSTEM, action="test.entry", purpose="scheduler test")
        record_access(uow, clock, SYSTEM, action="test.entry", purpose="scheduler test")
        uow.commit()
    registry = CollectorRegistry()
    replica = Scheduler(
        container,
        [Job("audit-chain-check", time(3, 0), audit_chain_check, working_days_only=False)],
        registry=registry,
        lease=LeaderLease(container.engine, clock, holder="replica-a"),
    )
    assert replica.tick() == ["audit-chain-check"]
    assert registry.get_sample_value("amina_audit_chain_intact") == 1
    assert registry.get_sample_value("amina_audit_chain_entries") == 2


def test_the_served_app_runs_the_scheduler_and_shows_the_audit_chain_gauge(
    container: Container,
) -> None:
    container.settings = container.settings.model_copy(update={"scheduler": True})
    with TestClient(served_app(container), base_url="https://testserver") as client:

        def gauge_published() -> bool:
            return "amina_audit_chain_intact 1.0" in client.get("/metrics").text

        wait_for(gauge_published, 5)
        assert "amina_scheduler_leader 1.0" in client.get("/metrics").text
