"""What the fault tests share (issue 15 points 5 and 6; docs/operations.md, "Faults the
service is tested against"): a database of the test's own, a private PostgreSQL cluster that
a test may stop, people in the card register, a phone's sign-in, and the **ledger** — what the
client sent and what it saw acknowledged, checked against the database afterwards:

- every acknowledged report is stored,
- nothing is stored that was never sent,
- no report is stored twice,
- the daily summaries equal a recomputation from the stored reports,
- at most one notice per person and date.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from harness import free_port
from sqlalchemy import create_engine, select, text

from amina.adapters.db.compliance.tables import NoticeRow
from amina.adapters.db.engine import make_engine
from amina.adapters.db.migrate import upgrade
from amina.adapters.db.reports.tables import FLAG_COLUMNS, DailySummaryRow, LocationReportRow
from amina.adapters.external.card_register import CardRegisterRecords
from amina.bootstrap import build
from amina.domain.calendar import moscow_date
from amina.domain.reports import FLAG_BITS, FLAG_ORDER, Flag
from amina.services.identity.card_import import import_cards
from amina.services.policy.versions import ensure_initial_policy
from amina.settings import Environment, Settings

PG_ADMIN_URL = os.environ.get(
    "AMINA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
PG_BIN = Path(os.environ.get("AMINA_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))


def card(number: str) -> dict[str, Any]:
    """A Tajik worker in the card register (must use Amina), with their own number and phone."""
    tail = number[-4:]
    return {
        "card_number": number,
        "surname_lat": "Rahimov",
        "given_names_lat": "Farhod",
        "surname_cyr": "Рахимов",
        "given_names_cyr": "Фарход",
        "date_of_birth": "1992-05-01",
        "citizenship": "TJ",
        "passport_number": f"4009{tail}",
        "phone": f"+7900900{tail}",
        "valid_from": "2025-03-01",
        "valid_to": "2030-03-01",
        "status": "valid",
        "purpose": "work",
        "intended_stay_days": 365,
        "category": "none",
    }


# --- databases ------------------------------------------------------------------------------


@contextmanager
def shared_server_database(prefix: str) -> Iterator[str]:
    """An empty database of the test's own on the shared PostgreSQL server."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepare(database_url: str, *records: dict[str, Any]) -> None:
    """Migrate the database, store the initial policy and import ``records`` into the card
    register (as the issuing system would deliver them)."""
    container = build(Settings(env=Environment.test, database_url=database_url, scheduler=False))
    try:
        upgrade(container.engine)
        with container.uow() as uow:
            ensure_initial_policy(uow, container.clock)
            uow.commit()
        if records:
            report = import_cards(
                container.uow, container.clock, CardRegisterRecords(list(records))
            )
            assert not report.rejected, report.rejected
    finally:
        container.close()


class PrivatePostgres:
    """A PostgreSQL 15 cluster of the test's own (initdb in a temporary folder, a free port),
    so that a test may stop it with ``-m immediate`` and start it again: the shared server on
    5432 is never touched. Skips the test when the server binaries are not installed."""

    def __init__(self) -> None:
        if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
            pytest.skip(f"PostgreSQL server binaries not found in {PG_BIN} (AMINA_TEST_PG_BIN)")
        self._as_user: list[str] = []
        self.folder = Path(tempfile.mkdtemp(prefix="amina-private-pg-"))
        if os.geteuid() == 0:  # initdb refuses to run as root: run the cluster as postgres
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                shutil.rmtree(self.folder, ignore_errors=True)
                pytest.skip("running as root and there is no postgres user to own a cluster")
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
            self._as_user = ["runuser", "-u", "postgres", "--"]
        self.data = self.folder / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self._pg(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync",
            "-E", "UTF8",
        )  # fmt: skip

    def _pg(self, program: str, *args: str) -> None:
        finished = subprocess.run(
            [*self._as_user, str(PG_BIN / program), *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert finished.returncode == 0, f"{program} failed:\n{finished.stdout}{finished.stderr}"

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} "
            "-c shared_buffers=32MB -c max_connections=200"
        )
        self._pg(
            "pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-o", options,
            "-w", "-t", "60", "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._pg("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


# --- the phone --------------------------------------------------------------------------------


def sign_in(url: str, record: dict[str, Any], name: str = "Phone") -> str:
    """Sign in like the app on the server at ``url``; the device credential."""
    with httpx.Client(base_url=url, timeout=30) as client:
        return str(sign_in_with(client, record, name)["device_credential"])


def sign_in_with(client: httpx.Client, record: dict[str, Any], name: str = "Phone") -> Any:
    """Sign in like the app (card, date of birth, the code from the local SMS gateway); the
    answer (access token, device credential, person)."""
    asked = client.post(
        "/api/v1/auth/otp",
        json={
            "method": "card",
            "card_number": record["card_number"],
            "date_of_birth": record["date_of_birth"],
        },
    )
    assert asked.status_code == 202, asked.text
    # the code leaves through the outbox (the scheduler leader's), a moment after the answer
    texts: list[str] = []
    deadline = time.monotonic() + 30
    while not texts and time.monotonic() < deadline:
        sms = client.get("/dev/sms.json").json()
        texts = [m["text"] for m in sms if m["to"] == record["phone"]]
        if not texts:
            time.sleep(0.1)
    assert texts, "no sign-in code arrived within 30 s"
    code = re.search(r"\b(\d{6})\b", texts[0])
    assert code is not None
    verified = client.post(
        "/api/v1/auth/verify",
        json={
            "challenge_id": asked.json()["challenge_id"],
            "code": code.group(1),
            "device": {"name": name, "platform": "android"},
        },
    )
    assert verified.status_code == 200, verified.text
    return verified.json()


def registration_body(day: date) -> dict[str, Any]:
    """Tverskaya street 7, Moscow, from ``day`` for a year and more."""
    return {
        "address": {
            "region": "RU-MOW",
            "settlement": "Москва",
            "street": "ул. Тверская",
            "house": "7",
            "flat": "12",
            "lat": 55.7577,
            "lon": 37.6116,
        },
        "host": {"kind": "person", "name": "Иванов Иван Иванович", "document": "4510 123456"},
        "stay_from": day.isoformat(),
        "stay_to": "2026-12-31",
        "purpose": "work",
    }


def reports(prefix: str, start: datetime, count: int) -> list[dict[str, Any]]:
    """``count`` reports from Tverskaya street, five seconds apart from ``start``."""
    return [
        {
            "client_id": f"{prefix}-{n:05d}-{uuid.uuid4().hex[:8]}",
            "device_time": (start + timedelta(seconds=5 * n)).isoformat(),
            "lat": 55.7577 + (n % 100) * 1e-5,
            "lon": 37.6116,
            "accuracy_m": 10.0,
            "provider": "gps",
        }
        for n in range(count)
    ]


# --- the ledger -------------------------------------------------------------------------------


@dataclass
class Answer:
    """One request the client made: when it left, when the answer came, and what it was."""

    sent_at: float
    answered_at: float
    status: int | None  # None: no answer (connection refused, reset, timed out)
    problem_code: str | None = None


@dataclass
class Ledger:
    """What the client sent and what it saw acknowledged (thread-safe: several phones)."""

    sent: dict[str, dict[str, Any]] = field(default_factory=dict)
    acknowledged: set[str] = field(default_factory=set)
    answers: list[Answer] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def send(self, client: httpx.Client, credential: str, batch: list[dict[str, Any]]) -> bool:
        """POST the batch (:meth:`post`); True if every report in it was acknowledged."""
        answer = self.post(client, credential, batch)
        if answer is None or answer.status_code != 200:
            return False
        return all(r["status"] in ("accepted", "duplicate") for r in answer.json()["results"])

    def post(
        self, client: httpx.Client, credential: str, batch: list[dict[str, Any]]
    ) -> httpx.Response | None:
        """POST the batch; note it as sent, and its reports as acknowledged if the answer is
        200 and says accepted or duplicate. None if no answer came."""
        with self._lock:
            for report in batch:
                self.sent[report["client_id"]] = report
        started = time.monotonic()
        try:
            answer = client.post(
                "/api/v1/reports",
                json={"reports": batch},
                headers={"Authorization": f"Device {credential}"},
            )
        except httpx.HTTPError:
            with self._lock:
                self.answers.append(Answer(started, time.monotonic(), None))
            return None
        problem = None
        if answer.headers.get("content-type") == "application/problem+json":
            problem = answer.json().get("code")
        with self._lock:
            self.answers.append(Answer(started, time.monotonic(), answer.status_code, problem))
            if answer.status_code == 200:
                results = answer.json()["results"]
                assert [r["client_id"] for r in results] == [r["client_id"] for r in batch]
                self.acknowledged.update(
                    r["client_id"] for r in results if r["status"] in ("accepted", "duplicate")
                )
        return answer

    def check(self, database_url: str) -> None:
        """The five promises, read from the database."""
        engine = make_engine(database_url)
        try:
            with engine.connect() as connection:
                stored = connection.execute(
                    select(
                        LocationReportRow.person_id,
                        LocationReportRow.client_id,
                        LocationReportRow.device_time,
                        LocationReportRow.lat,
                        LocationReportRow.region,
                        LocationReportRow.flags,
                        LocationReportRow.distance_to_address_m,
                    )
                ).all()
                summaries = connection.execute(select(DailySummaryRow)).all()
                notices = connection.execute(
                    select(NoticeRow.person_id, NoticeRow.created_at)
                ).all()
        finally:
            engine.dispose()
        ids = [row.client_id for row in stored]
        twice = [client_id for client_id, n in Counter(ids).items() if n > 1]
        assert not twice, f"stored twice: {twice[:5]}"
        missing = self.acknowledged - set(ids)
        assert not missing, (
            f"{len(missing)} acknowledged report(s) not stored: {sorted(missing)[:5]}"
        )
        never_sent = set(ids) - set(self.sent)
        assert not never_sent, f"stored but never sent: {sorted(never_sent)[:5]}"
        for row in stored:  # and stored as sent
            assert row.lat == pytest.approx(self.sent[row.client_id]["lat"])
            assert row.device_time == datetime.fromisoformat(
                self.sent[row.client_id]["device_time"]
            )
        assert recomputed_summaries(stored) == held_summaries(summaries)
        per_day = Counter((n.person_id, moscow_date(n.created_at)) for n in notices)
        assert all(n == 1 for n in per_day.values()), f"notices per person and date: {per_day}"


def recomputed_summaries(stored: list[Any]) -> dict[tuple[str, date], dict[str, Any]]:
    """The daily summaries as they must be: from the stored reports, per Moscow day."""
    far = FLAG_BITS[Flag.far_from_address]
    days: dict[tuple[str, date], dict[str, Any]] = {}
    for row in stored:
        key = (row.person_id, moscow_date(row.device_time))
        day = days.setdefault(
            key,
            {"reports": 0, "inside_region": 0, "near_address": 0, "first_at": row.device_time,
             "last_at": row.device_time, **dict.fromkeys(FLAG_COLUMNS, 0)},
        )  # fmt: skip
        day["reports"] += 1
        day["inside_region"] += row.region is not None
        day["near_address"] += row.distance_to_address_m is not None and not row.flags & far
        day["first_at"] = min(day["first_at"], row.device_time)
        day["last_at"] = max(day["last_at"], row.device_time)
        for flag, column in zip(FLAG_ORDER, FLAG_COLUMNS, strict=True):
            day[column] += bool(row.flags & FLAG_BITS[flag])
    return days


def held_summaries(rows: list[Any]) -> dict[tuple[str, date], dict[str, Any]]:
    """What ``daily_summaries`` holds about reports (days with reports only)."""
    return {
        (row.person_id, row.day): {
            "reports": row.reports,
            "inside_region": row.inside_region,
            "near_address": row.near_address,
            "first_at": row.first_at,
            "last_at": row.last_at,
            **{column: getattr(row, column) for column in FLAG_COLUMNS},
        }
        for row in rows
        if row.reports
    }
