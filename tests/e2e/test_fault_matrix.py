"""The fault matrix (issue 15 point 6; docs/operations.md, "Faults the service is tested
against"). Each fault is played against a real `amina serve` with a ledger of what the phones
sent and what they saw acknowledged, checked against the database afterwards (fault_support.py):
every acknowledged report stored, nothing stored that was never sent, no duplicates, summaries
equal to a recomputation, one notice per person and date.

The one-hour soak at 70 % load is a benchmark, not a test: bench/soak/run.py, BENCHMARKS.md.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from fault_support import (
    Ledger,
    PrivatePostgres,
    card,
    prepare,
    registration_body,
    reports,
    shared_server_database,
    sign_in,
    sign_in_with,
)
from harness import REPO, AminaServer, launch
from sqlalchemy import Engine, text

from amina.adapters.clock import SystemClock
from amina.adapters.db.engine import make_engine
from amina.adapters.web.app import create_app
from amina.bootstrap import build
from amina.services.clock import FixedClock
from amina.settings import Environment, Settings

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


# --- one server per database for the request-level faults -------------------------------------


class Reporting:
    """A server with one signed-in phone, on a database of its own."""

    def __init__(self, server: AminaServer, database_url: str, credential: str) -> None:
        self.server = server
        self.database_url = database_url
        self.credential = credential
        self.ledger = Ledger()

    @property
    def device(self) -> dict[str, str]:
        return {"Authorization": f"Device {self.credential}"}


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def reporting(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Reporting]:
    folder = tmp_path_factory.mktemp(f"faults-{request.param}")
    with ExitStack() as stack:
        if request.param == "postgresql":
            database_url = stack.enter_context(shared_server_database("amina_faults"))
        else:
            database_url = f"sqlite:///{folder / 'amina.sqlite3'}"
        person = card("7725900201")
        prepare(database_url, person)
        server = launch(folder / "server", demo=False, extra_env={"DATABASE_URL": database_url})
        stack.callback(server.stop)
        yield Reporting(server, database_url, sign_in(server.url, person))


def _stored_client_ids(database_url: str) -> set[str]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return {
                r[0] for r in connection.execute(text("SELECT client_id FROM location_reports"))
            }
    finally:
        engine.dispose()


def test_the_same_batch_sent_ten_times_at_once_gets_the_same_answer_and_is_stored_once(
    reporting: Reporting,
) -> None:
    start = SystemClock().now().astimezone(UTC) - timedelta(hours=2)
    batch = reports("tenfold", start, 30)
    batch[7] = {**batch[7], "lat": 95.0}  # out of range: rejected, the rest still stored
    together = threading.Barrier(10)
    answers: list[dict[str, Any]] = [{} for _ in range(10)]

    def send(i: int) -> None:
        with httpx.Client(base_url=reporting.server.url, timeout=30) as client:
            together.wait()
            answer = reporting.ledger.post(client, reporting.credential, batch)
            assert answer is not None
            assert answer.status_code == 200, answer.text
            answers[i] = answer.json()

    senders = [threading.Thread(target=send, args=(i,)) for i in range(10)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(timeout=60)
    assert all(answers), "a sender got no answer"

    # identical answers: the same results, flags and errors in the same order; each report
    # accepted by exactly one of them, a duplicate for the nine others
    def without_status(answer: dict[str, Any]) -> list[tuple[Any, ...]]:
        return [
            (
                r["client_id"],
                r["flags"],
                r["error"] and r["error"]["code"],
                r["status"] == "rejected",
            )
            for r in answer["results"]
        ]

    assert all(without_status(a) == without_status(answers[0]) for a in answers)
    for position, report in enumerate(batch):
        statuses = Counter(a["results"][position]["status"] for a in answers)
        if position == 7:
            assert statuses == {"rejected": 10}
        else:
            assert statuses == {"accepted": 1, "duplicate": 9}, (report["client_id"], statuses)
    stored = _stored_client_ids(reporting.database_url)
    assert {r["client_id"] for r in batch} - stored == {batch[7]["client_id"]}
    reporting.ledger.check(reporting.database_url)


def _raw_request(url: str, head: bytes, body: bytes, *, ending: str) -> bytes:
    """Send ``head`` and ``body`` on a socket of its own, then end the way ``ending`` says:
    ``eof`` (the phone stops sending but still listens), ``reset`` (the network is gone) or
    ``complete`` (the framing is complete). What came back, if anything."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(head + body)
        if ending == "reset":
            # SO_LINGER 0: close() sends RST, as a phone that lost its network mid-upload
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return b""
        if ending == "eof":
            connection.shutdown(socket.SHUT_WR)
        received = b""
        try:
            while chunk := connection.recv(65536):
                received += chunk
                if ending == "complete" and b"\r\n\r\n" in received:
                    length = re.search(rb"content-length: (\d+)", received.lower())
                    if length and len(received.split(b"\r\n\r\n", 1)[1]) >= int(length.group(1)):
                        break
        except (TimeoutError, ConnectionResetError):
            pass
        return received


def test_a_request_body_cut_off_mid_way_stores_nothing(reporting: Reporting) -> None:
    start = SystemClock().now().astimezone(UTC) - timedelta(hours=1)
    batch = reports("cut", start, 40)
    body = json.dumps({"reports": batch}).encode()
    half = body[: len(body) // 2]
    url = reporting.server.url
    headers = (
        f"POST /api/v1/reports HTTP/1.1\r\nHost: {url.removeprefix('http://')}\r\n"
        f"Authorization: Device {reporting.credential}\r\nContent-Type: application/json\r\n"
    )

    # the framing is complete (chunked), but the JSON stops half-way: 400 malformed_json
    chunked = f"{len(half):x}\r\n".encode() + half + b"\r\n0\r\n\r\n"
    answer = _raw_request(
        url,
        (headers + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode(),
        chunked,
        ending="complete",
    )
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
    assert b'"code":"malformed_json"' in answer.replace(b" ", b"")

    # Content-Length promises the whole body; half comes, then the phone stops sending
    promised = (headers + f"Content-Length: {len(body)}\r\n\r\n").encode()
    answer = _raw_request(url, promised, half, ending="eof")
    assert not answer.startswith(b"HTTP/1.1 2"), answer[:200]
    if answer:
        assert answer.startswith(b"HTTP/1.1 4"), answer[:200]

    # ... or its network is gone (a reset)
    _raw_request(url, promised, half, ending="reset")

    # the same on any other JSON endpoint (read whole by the strict JSON check first)
    sign_in_body = json.dumps({"method": "card", "card_number": "7725900201"}).encode()
    other = (
        f"POST /api/v1/auth/otp HTTP/1.1\r\nHost: {url.removeprefix('http://')}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(sign_in_body)}\r\n\r\n"
    ).encode()
    answer = _raw_request(url, other, sign_in_body[:20], ending="eof")
    assert not answer.startswith(b"HTTP/1.1 2"), answer[:200]

    time.sleep(1)  # let the server notice the last connection's end
    assert not {r["client_id"] for r in batch} & _stored_client_ids(reporting.database_url)
    with httpx.Client(base_url=url, timeout=30) as client:
        assert reporting.ledger.send(client, reporting.credential, batch)  # the server is fine
    assert {r["client_id"] for r in batch} <= _stored_client_ids(reporting.database_url)
    assert 500 not in _request_statuses(reporting.server)
    assert "Traceback" not in reporting.server.log_text(since_ready=True)
    reporting.ledger.check(reporting.database_url)


# --- the sweep killed in the middle -----------------------------------------------------------

#: Registered on a Monday; by Wednesday 5 November 2025 (a working day) everyone has been silent
#: for more than three working days: the sweep owes each of them one notice.
REGISTERED = datetime.fromisoformat("2025-10-27T10:00:00+03:00")
SWEPT = date(2025, 11, 5)
SWEEP_CLOCK = "fixed:2025-11-05T09:00:00+03:00"


def _sweep(database_url: str) -> subprocess.Popen[str]:
    """``amina sweep --on 2025-11-05`` as an operator (or the scheduler) runs it."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "AMINA_CLOCK": SWEEP_CLOCK,
        "AMINA_ENV": "test",
        "PYTHONPATH": str(REPO),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "amina", "sweep", "--on", SWEPT.isoformat(), "--chunk-size", "1"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _count(engine: Engine, sql: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(sql)).scalar() or 0)


def test_a_sweep_killed_in_the_middle_and_run_again_issues_each_notice_once() -> None:
    with shared_server_database("amina_sweep_kill") as database_url:
        reporters = [card(f"77259003{i:02d}") for i in range(3)]
        silent = [card(f"77259004{i:02d}") for i in range(3)]
        prepare(database_url, *reporters, *silent)
        ledger = Ledger()
        clock = FixedClock(REGISTERED)
        container = build(
            Settings(env=Environment.test, database_url=database_url, scheduler=False), clock=clock
        )
        people: dict[str, str] = {}
        try:
            with TestClient(create_app(container), base_url="https://testserver") as client:
                for record in reporters + silent:
                    session = sign_in_with(client, record)
                    person_id = session["person"]["id"]
                    people[record["card_number"]] = person_id
                    registered = client.post(
                        "/api/v1/me/registrations",
                        json=registration_body(REGISTERED.date()),
                        headers={"Authorization": f"Bearer {session['access_token']}"},
                    )
                    assert registered.status_code == 201, registered.text
                    if record in reporters:  # one report that day, then nothing
                        batch = reports(person_id[:8], REGISTERED + timedelta(hours=2), 3)
                        clock.set(REGISTERED + timedelta(hours=3))
                        assert ledger.send(client, session["device_credential"], batch)
                        clock.set(REGISTERED)
        finally:
            container.close()

        engine = make_engine(database_url)
        try:
            # One person per chunk, in person order: the chunks of the first five commit; the
            # last one's waits on a registration row this test holds; then the sweep is killed.
            last = max(people.values())
            blocker = engine.connect()
            held = blocker.begin()
            blocker.execute(
                text("SELECT id FROM registrations WHERE person_id = :p FOR UPDATE"), {"p": last}
            )
            first = _sweep(database_url)
            deadline = time.monotonic() + 60
            while not (
                _count(engine, "SELECT count(*) FROM notices") == len(people) - 1
                and _count(
                    engine,
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'",
                )
                == 1
            ):
                assert first.poll() is None, first.communicate()[0]
                assert time.monotonic() < deadline, "the sweep did not reach its second chunk"
                time.sleep(0.05)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
            held.rollback()
            blocker.close()
            assert _count(engine, "SELECT count(*) FROM notices") == len(people) - 1

            again = _sweep(database_url)  # resumes after the last person the killed run finished
            output = again.communicate(timeout=60)[0]
            assert again.returncode == 0, output

            with engine.connect() as connection:
                notices = connection.execute(
                    text("SELECT person_id, id FROM notices WHERE kind = 'no_data'")
                ).all()
                per_notice_inbox = Counter(
                    r[0]
                    for r in connection.execute(
                        text("SELECT subject_id FROM inbox_messages WHERE kind = 'notice'")
                    )
                )
                per_person_outbox = Counter(
                    r[0]
                    for r in connection.execute(
                        text("SELECT person_id FROM outbox WHERE created_at = :at"),
                        {"at": datetime.fromisoformat(SWEEP_CLOCK.removeprefix("fixed:"))},
                    )
                )
                per_person_events = Counter(
                    r[0]
                    for r in connection.execute(
                        text(
                            "SELECT person_id FROM registration_events "
                            "WHERE to_status = 'confirmation_requested'"
                        )
                    )
                )
                sweeps = _count(
                    engine, "SELECT count(*) FROM audit_log WHERE action = 'compliance.sweep'"
                )
        finally:
            engine.dispose()
        everyone = set(people.values())
        assert sorted(n.person_id for n in notices) == sorted(everyone)  # one each, no more
        assert per_notice_inbox == dict.fromkeys((n.id for n in notices), 1)
        assert per_person_outbox == dict.fromkeys(everyone, 1)  # one SMS each
        assert per_person_events == dict.fromkeys(everyone, 1)
        assert sweeps == 1  # the killed run wrote nothing of its end
        ledger.check(database_url)
