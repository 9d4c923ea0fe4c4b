"""The fault matrix (issue 15 point 6; docs/operations.md, "Faults the service is tested
against"). Each fault is played against a real `amina serve` with a ledger of what the phones
sent and what they saw acknowledged, checked against the database afterwards (fault_support.py):
every acknowledged report stored, nothing stored that was never sent, no duplicates, summaries
equal to a recomputation, one notice per person and date.

The one-hour soak at 70 % load is a benchmark, not a test: bench/soak/run.py, BENCHMARKS.md.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fault_support import Ledger, PrivatePostgres, card, prepare, reports, sign_in
from harness import AminaServer, launch

from amina.adapters.clock import SystemClock

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

BATCH = 20


class Phone(threading.Thread):
    """Sends batch after batch; a batch that is not acknowledged is sent again (after a short
    pause) until it is, like the app's queue. Stops after ``stop`` is set, once its current
    batch is acknowledged."""

    def __init__(self, name: str, url: str, credential: str, ledger: Ledger) -> None:
        super().__init__(daemon=True, name=name)
        self.url = url
        self.credential = credential
        self.ledger = ledger
        self.stop = threading.Event()
        self.batches_acknowledged = 0
        self.start_at = SystemClock().now().astimezone(UTC) - timedelta(hours=6)

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=15) as client:
            n = 0
            while not self.stop.is_set():
                start = self.start_at + timedelta(seconds=5 * BATCH * n)
                batch = reports(f"{self.name}-{n:04d}", start, BATCH)
                while not self.ledger.send(client, self.credential, batch):
                    time.sleep(0.1)
                self.batches_acknowledged += 1
                n += 1


def _request_statuses(server: AminaServer) -> list[int]:
    statuses = []
    for line in server.log_text(since_ready=True).splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("event") == "request":
            statuses.append(int(entry["status"]))
    return statuses


def _wait_for(condition: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {seconds} s"
        time.sleep(0.05)


def test_postgresql_stopped_immediate_under_load_is_503_while_down_and_recovers_by_itself(
    tmp_path: Path,
) -> None:
    cluster = PrivatePostgres()
    try:
        cluster.start()
        people = [card("7725900101"), card("7725900102")]
        prepare(cluster.url, *people)
        server = launch(tmp_path / "server", demo=False, extra_env={"DATABASE_URL": cluster.url})
        ledger = Ledger()
        try:
            phones = [
                Phone(f"phone{i}", server.url, sign_in(server.url, person), ledger)
                for i, person in enumerate(people)
            ]
            for phone in phones:
                phone.start()
            _wait_for(lambda: all(p.batches_acknowledged >= 5 for p in phones), 60, "a stream")

            cluster.stop("immediate")  # no checkpoint, no goodbye: the server process is gone
            down_since = time.monotonic()
            readiness = []
            _wait_for(
                lambda: sum(a.sent_at > down_since for a in ledger.answers) >= 10,
                30,
                "ten batches sent while the database was down",
            )
            with httpx.Client(base_url=server.url, timeout=10) as client:
                for _ in range(3):
                    readiness.append(client.get("/readyz"))
                    time.sleep(0.3)
            coming_back = time.monotonic()
            cluster.start()
            with httpx.Client(base_url=server.url, timeout=10) as client:
                _wait_for(
                    lambda: client.get("/readyz").status_code == 200, 30, "readiness after restart"
                )
            recovered = {p.name: p.batches_acknowledged for p in phones}
            _wait_for(
                lambda: all(p.batches_acknowledged >= recovered[p.name] + 3 for p in phones),
                30,
                "reports acknowledged again after the restart",
            )
            for phone in phones:
                phone.stop.set()
            for phone in phones:
                phone.join(timeout=30)
                assert not phone.is_alive()
        finally:
            server.stop()

        while_down = [
            a for a in ledger.answers if a.sent_at > down_since and a.answered_at < coming_back
        ]
        assert while_down
        assert {(a.status, a.problem_code) for a in while_down} == {(503, "service_unavailable")}
        assert {a.status for a in ledger.answers} <= {200, 503}
        for ready in readiness:
            assert ready.status_code == 503
            assert ready.json() == {"status": "not_ready", "reason": "database_unreachable"}
        assert 500 not in _request_statuses(server)
        ledger.check(cluster.url)
    finally:
        cluster.destroy()
