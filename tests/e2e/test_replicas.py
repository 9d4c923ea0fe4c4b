"""Several app replicas on one PostgreSQL database (issue 15 point 5; docs/operations.md,
"Several replicas"): two `amina serve` processes take sign-ins and reports alike, exactly one
of them runs the scheduler, and when that one is killed with SIGKILL the other takes the lease
within the lease time (plus one tick) and carries on — without running any of the day's jobs
a second time. The sweep, the outbox and the reports are checked in the database afterwards.

The lease is shortened for the test (AMINA_SCHEDULER_LEASE_SECONDS, outside production only);
the replicas live on Wednesday 5 November 2025 at 10:00 in Moscow (an offset clock, so that the
lease still runs out), when every daily job is due.
"""

from __future__ import annotations

import re
import signal
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fault_support import Ledger, card, prepare, reports, shared_server_database, sign_in
from harness import AminaServer, launch
from sqlalchemy import text

from amina.adapters.clock import SystemClock
from amina.adapters.db.engine import make_engine

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

LEASE_SECONDS = 4.0
TICK_SECONDS = 0.5
#: A working day, after the 09:00 jobs: every daily job is due when the replicas start.
REPLICAS_LIVE_AT = datetime.fromisoformat("2025-11-05T10:00:00+03:00")
BATCH = 20


def _leads(server: AminaServer) -> bool | None:
    """What the replica's /metrics says: leading or not; None if it does not answer."""
    try:
        metrics = httpx.get(server.url + "/metrics", timeout=5).text
    except httpx.HTTPError:
        return None
    found = re.search(r"^amina_scheduler_leader (\S+)$", metrics, re.MULTILINE)
    return found is not None and float(found.group(1)) == 1.0


class Phone(threading.Thread):
    """Sends batch after batch to the first replica of ``urls`` that answers (a load balancer
    drops a dead replica); a batch not acknowledged is sent again until it is."""

    def __init__(
        self, name: str, urls: list[str], credential: str, ledger: Ledger, start_at: datetime
    ) -> None:
        super().__init__(daemon=True, name=name)
        self.urls = urls
        self.credential = credential
        self.ledger = ledger
        self.start_at = start_at
        self.stop = threading.Event()
        self.acknowledged_by: Counter[str] = Counter()

    def run(self) -> None:
        clients = [httpx.Client(base_url=url, timeout=15) for url in self.urls]
        try:
            n = 0
            while not self.stop.is_set():
                batch = reports(f"{self.name}-{n:04d}", self.start_at + timedelta(minutes=n), BATCH)
                target = 0
                while not self.ledger.send(clients[target], self.credential, batch):
                    target = (target + 1) % len(clients)
                    time.sleep(0.05)
                self.acknowledged_by[self.urls[target]] += 1
                n += 1
                time.sleep(0.05)
        finally:
            for client in clients:
                client.close()


def _wait_for(condition: object, seconds: float, what: str) -> float:
    started = time.monotonic()
    while not condition():  # type: ignore[operator]
        assert time.monotonic() - started < seconds, f"{what} did not happen within {seconds} s"
        time.sleep(0.05)
    return time.monotonic() - started


def test_two_replicas_serve_alike_one_leads_and_the_other_takes_over_after_a_kill(
    tmp_path: Path,
) -> None:
    offset_minutes = (REPLICAS_LIVE_AT - SystemClock().now()).total_seconds() / 60
    clock = f"offset:{offset_minutes:+.4f}m"
    with shared_server_database("amina_replicas") as database_url:
        people = [card("7725900501"), card("7725900502"), card("7725900503")]
        prepare(database_url, *people)
        environment = {
            "DATABASE_URL": database_url,
            "AMINA_SCHEDULER_LEASE_SECONDS": str(LEASE_SECONDS),
            "AMINA_SCHEDULER_TICK_SECONDS": str(TICK_SECONDS),
        }
        # both start at once, as replicas of a deployment do; one of them wins the lease
        with ThreadPoolExecutor(2) as starting:
            started = [
                starting.submit(
                    launch, tmp_path / name, demo=False, clock=clock, extra_env=environment
                )
                for name in ("a", "b")
            ]
        replicas: list[AminaServer] = []
        failures: list[BaseException] = []
        for replica in started:
            try:
                replicas.append(replica.result())
            except BaseException as failure:  # pytest.fail is one: stop the other replica first
                failures.append(failure)
        if failures:
            for replica in replicas:
                replica.stop()
            raise failures[0]
        engine = make_engine(database_url)
        ledger = Ledger()
        phones: list[Phone] = []
        try:
            # exactly one of them leads
            _wait_for(lambda: any(_leads(r) for r in replicas), 10, "a replica leading")
            first, second = sorted(replicas, key=lambda r: _leads(r) is not True)
            assert _leads(first) is True
            assert _leads(second) is False
            with engine.connect() as connection:
                holder = connection.execute(text("SELECT holder FROM scheduler_lease")).scalar()
            assert f":{first.process.pid}:" in str(holder)
            # ... and ran the day's jobs, each once
            with engine.connect() as connection:
                _wait_for(
                    lambda: (
                        connection.execute(
                            text(
                                "SELECT count(*) FROM job_runs WHERE job = 'compliance-sweep' "
                                "AND status = 'succeeded'"
                            )
                        ).scalar()
                        == 1
                        and connection.execute(
                            text("SELECT count(*) FROM job_runs WHERE status = 'running'")
                        ).scalar()
                        == 0
                    ),
                    30,
                    "the day's jobs",
                )
                connection.rollback()

            # sign-ins and reports go to both
            since = SystemClock().now() + timedelta(minutes=offset_minutes, hours=-2)
            phones = [
                Phone("p0", [first.url, second.url], sign_in(first.url, people[0]), ledger, since),
                Phone("p1", [second.url, first.url], sign_in(second.url, people[1]), ledger, since),
            ]
            for phone in phones:
                phone.start()
            _wait_for(
                lambda: all(sum(p.acknowledged_by.values()) >= 5 for p in phones), 30, "reports"
            )
            assert phones[0].acknowledged_by[first.url]
            assert phones[1].acknowledged_by[second.url]

            # the leader dies without a word; the other takes the lease within its time
            first.process.send_signal(signal.SIGKILL)
            first.process.wait(timeout=10)
            took = _wait_for(lambda: _leads(second) is True, 3 * LEASE_SECONDS, "the takeover")
            # its last renewal was at most a tick before the kill; polling /metrics adds a little
            assert took <= LEASE_SECONDS + TICK_SECONDS + 2, took
            with engine.connect() as connection:
                holder = connection.execute(text("SELECT holder FROM scheduler_lease")).scalar()
            assert f":{second.process.pid}:" in str(holder)

            # the new leader's outbox sends the sign-in codes now; reports keep coming
            sign_in(second.url, people[2])
            acknowledged = {p.name: sum(p.acknowledged_by.values()) for p in phones}
            _wait_for(
                lambda: all(
                    sum(p.acknowledged_by.values()) >= acknowledged[p.name] + 3 for p in phones
                ),
                30,
                "reports after the takeover",
            )
            time.sleep(3 * TICK_SECONDS)  # rounds in which the new leader could rerun a job
        finally:
            for phone in phones:
                phone.stop.set()
            for phone in phones:
                phone.join(timeout=30)
            for replica in replicas:
                replica.stop()

        try:
            with engine.connect() as connection:
                runs = connection.execute(
                    text("SELECT job, run_for_date, holder, status FROM job_runs")
                ).all()
                sweeps = connection.execute(
                    text("SELECT count(*) FROM audit_log WHERE action = 'compliance.sweep'")
                ).scalar()
                outbox = connection.execute(
                    text("SELECT attempts, sent_at IS NOT NULL, gave_up_at FROM outbox")
                ).all()
                receipts = connection.execute(
                    text("SELECT count(*) FROM local_receipts WHERE channel = 'sms'")
                ).scalar()
        finally:
            engine.dispose()
        # no job ran twice for the day: every run is the first leader's, finished
        assert runs
        assert Counter((r.job, r.run_for_date) for r in runs).most_common(1)[0][1] == 1
        assert all(f":{first.process.pid}:" in r.holder for r in runs)
        assert {r.status for r in runs} == {"succeeded"}
        assert sweeps == 1
        # every message of the outbox sent exactly once (three sign-in codes at least)
        assert len(outbox) >= len(people)
        assert all(attempts == 1 and sent and gave_up is None for attempts, sent, gave_up in outbox)
        assert receipts == len(outbox)
        for phone in phones:  # both replicas served both phones' reports
            assert phone.acknowledged_by[second.url]
        ledger.check(database_url)
