"""Durability of location reports (SPEC §6, issue 5 point 10): a real `amina serve` is killed
with SIGKILL in the middle of a stream of batches, restarted on the same database, and the phone
sends again everything it had not seen acknowledged. Afterwards every acknowledged report is
stored exactly once, nothing is duplicated, and the daily summaries count exactly the stored
reports."""

from __future__ import annotations

import os
import re
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from harness import launch
from sqlalchemy import create_engine, text

from amina.adapters.clock import SystemClock
from amina.adapters.db.engine import make_engine
from amina.adapters.db.migrate import upgrade
from amina.adapters.external.card_register import CardRegisterRecords
from amina.bootstrap import build
from amina.services.identity.card_import import import_cards
from amina.services.policy.versions import ensure_initial_policy
from amina.settings import Environment, Settings

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

PG_ADMIN_URL = os.environ.get(
    "AMINA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
HOLDER: dict[str, Any] = {
    "card_number": "7725900001",
    "surname_lat": "Rahimov",
    "given_names_lat": "Farhod",
    "surname_cyr": "Рахимов",
    "given_names_cyr": "Фарход",
    "date_of_birth": "1992-05-01",
    "citizenship": "TJ",
    "passport_number": "400900001",
    "phone": "+79009000001",
    "valid_from": "2025-03-01",
    "valid_to": "2030-03-01",
    "status": "valid",
    "purpose": "work",
    "intended_stay_days": 365,
    "category": "none",
}
STREAMS = 2  # concurrent senders, so that requests are in flight when the server dies
BATCHES_PER_STREAM = 150
BATCH = 50
KILL_AFTER_ACKNOWLEDGED = 24


@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of the test's own (the server migrates it)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'durable.sqlite3'}"
        return
    name = f"amina_durable_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _card_in_register(database_url: str) -> None:
    container = build(Settings(env=Environment.test, database_url=database_url, scheduler=False))
    try:
        upgrade(container.engine)
        with container.uow() as uow:
            ensure_initial_policy(uow, container.clock)
            uow.commit()
        report = import_cards(container.uow, container.clock, CardRegisterRecords([HOLDER]))
        assert not report.rejected
    finally:
        container.engine.dispose()


def _device_credential(url: str) -> str:
    """Sign in like the app: card, date of birth, the code from the local SMS gateway."""
    with httpx.Client(base_url=url, timeout=30) as client:
        asked = client.post(
            "/api/v1/auth/otp",
            json={
                "method": "card",
                "card_number": HOLDER["card_number"],
                "date_of_birth": HOLDER["date_of_birth"],
            },
        )
        assert asked.status_code == 202, asked.text
        # the code leaves through the outbox, a moment after the answer (docs/sign-in.md)
        texts: list[str] = []
        for _ in range(120):
            texts = [
                m["text"] for m in client.get("/dev/sms.json").json() if m["to"] == HOLDER["phone"]
            ]
            if texts:
                break
            time.sleep(0.25)
        assert texts, "no sign-in code arrived within 30 s"
        code = re.search(r"\b(\d{6})\b", texts[0])
        assert code is not None
        verified = client.post(
            "/api/v1/auth/verify",
            json={
                "challenge_id": asked.json()["challenge_id"],
                "code": code.group(1),
                "device": {"name": "Phone", "platform": "android"},
            },
        )
        assert verified.status_code == 200, verified.text
        return str(verified.json()["device_credential"])


def _batches(stream: int, start: datetime) -> list[list[dict[str, Any]]]:
    batches = []
    for b in range(BATCHES_PER_STREAM):
        batch = []
        for i in range(BATCH):
            n = b * BATCH + i
            batch.append(
                {
                    "client_id": f"s{stream}-{n:06d}-{uuid.uuid4().hex[:8]}",
                    "device_time": (start + timedelta(seconds=n * 5 + stream)).isoformat(),
                    "lat": 55.7577 + (n % 100) * 1e-5,
                    "lon": 37.6116,
                    "accuracy_m": 10.0,
                    "provider": "gps",
                }
            )
        batches.append(batch)
    return batches


class Stream(threading.Thread):
    """Sends its batches one after another and notes which ones were acknowledged."""

    def __init__(self, url: str, credential: str, batches: list[list[dict[str, Any]]]) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.credential = credential
        self.batches = batches
        self.acknowledged: dict[int, list[dict[str, Any]]] = {}
        self.broken = False

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=10) as client:
            for index, batch in enumerate(self.batches):
                try:
                    answer = client.post(
                        "/api/v1/reports",
                        json={"reports": batch},
                        headers={"Authorization": f"Device {self.credential}"},
                    )
                except httpx.HTTPError:
                    self.broken = True
                    return
                if answer.status_code != 200:
                    self.broken = True
                    return
                self.acknowledged[index] = answer.json()["results"]


def test_every_acknowledged_report_survives_a_server_killed_mid_stream_exactly_once(
    tmp_path: Path, database_url: str
) -> None:
    _card_in_register(database_url)
    environment = {"DATABASE_URL": database_url}
    server = launch(tmp_path / "first", demo=False, extra_env=environment)
    credential = _device_credential(server.url)
    start = SystemClock().now().astimezone(UTC) - timedelta(hours=6)
    streams = [Stream(server.url, credential, _batches(s, start)) for s in range(STREAMS)]

    for stream in streams:
        stream.start()
    deadline = time.monotonic() + 120
    while sum(len(s.acknowledged) for s in streams) < KILL_AFTER_ACKNOWLEDGED:
        assert time.monotonic() < deadline, "the stream did not get going"
        assert all(s.is_alive() for s in streams), server.log_text()
        time.sleep(0.01)
    server.process.send_signal(signal.SIGKILL)  # no shutdown, no flush: the plug is pulled
    server.process.wait(timeout=10)
    for stream in streams:
        stream.join(timeout=30)
    server.stop()

    acknowledged_first = {
        r["client_id"]: r["status"] for s in streams for rs in s.acknowledged.values() for r in rs
    }
    assert acknowledged_first
    assert set(acknowledged_first.values()) == {"accepted"}
    unacknowledged = [
        batch for s in streams for i, batch in enumerate(s.batches) if i not in s.acknowledged
    ]
    assert unacknowledged, "the server died after the stream had finished: nothing was tested"

    restarted = launch(tmp_path / "second", demo=False, extra_env=environment)
    try:
        resent: dict[str, str] = {}
        with httpx.Client(base_url=restarted.url, timeout=30) as client:
            for batch in unacknowledged:
                answer = client.post(
                    "/api/v1/reports",
                    json={"reports": batch},
                    headers={"Authorization": f"Device {credential}"},
                )
                assert answer.status_code == 200, answer.text
                resent.update({r["client_id"]: r["status"] for r in answer.json()["results"]})
    finally:
        restarted.stop()

    assert set(resent.values()) <= {"accepted", "duplicate"}
    sent = {r["client_id"] for s in streams for batch in s.batches for r in batch}
    assert set(acknowledged_first) | set(resent) == sent
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            stored = [
                row[0] for row in connection.execute(text("SELECT client_id FROM location_reports"))
            ]
            summarised = connection.execute(
                text("SELECT sum(reports) FROM daily_summaries")
            ).scalar()
    finally:
        engine.dispose()
    assert len(stored) == len(set(stored)), "a report was stored twice"
    assert set(stored) == sent  # every acknowledged report is there, and nothing else
    assert set(acknowledged_first) <= set(stored)
    assert summarised == len(sent)  # the summaries were incremented exactly once per report
