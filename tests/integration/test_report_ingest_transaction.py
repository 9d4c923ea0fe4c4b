"""A batch of reports and the notice it resolves are one transaction, on SQLite and on
PostgreSQL alike (issue 9 point 4): the phone is never told "error" for reports that were in
fact stored, and a notice is never left open behind reports that cover it."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

import asyncpg
import psycopg
import pytest
from compliance_support import enrol, moscow_time, sweep_on
from fastapi.testclient import TestClient

from amina.adapters.db.reports.store import HotPathSql
from amina.adapters.db.uow import UnitOfWork
from amina.bootstrap import Container
from amina.services.clock import Clock, FixedClock


class ResolvingFailed(RuntimeError):
    pass


def test_reports_that_cover_a_notice_are_stored_with_its_resolution_or_not_at_all(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    phone = enrol(client, container, clock, "7725100001", date(2025, 10, 20))
    phone.report_every_day(date(2025, 10, 27), date(2025, 10, 30))
    sweep_on(container, clock, date(2025, 11, 6))
    clock.set(moscow_time(date(2025, 11, 7), 8))
    late = phone.report_body(moscow_time(date(2025, 10, 31), 18))

    ingest = container.reports.ingest
    resolve = ingest.resolve_notices
    assert resolve is not None

    def resolve_then_fail(uow: UnitOfWork, clock: Clock, person_id: str) -> Any:
        resolve(uow, clock, person_id)
        raise ResolvingFailed("the database went away")

    ingest.resolve_notices = resolve_then_fail
    with pytest.raises(ResolvingFailed):
        phone.send([late])
    stored = phone.get("/api/v1/me/reports?limit=100")["reports"]
    assert late["client_id"] not in {r["client_id"] for r in stored}
    assert phone.notices()[0]["status"] == "open"

    ingest.resolve_notices = resolve
    [result] = phone.send([late])["results"]
    assert result["status"] == "accepted"  # not "duplicate": the failed attempt stored nothing
    assert phone.notices()[0]["status"] == "resolved"


def test_a_batch_whose_summaries_cannot_be_written_is_neither_stored_nor_acknowledged(
    client: TestClient, container: Container, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # on PostgreSQL the summaries' statement goes out with the COMMIT, in one pipeline: a
    # failing statement must stop the COMMIT, and the phone must not hear "accepted"
    phone = enrol(client, container, clock, "7725100001", date(2025, 10, 20))
    clock.set(moscow_time(date(2025, 10, 27), 12))
    fix = phone.report_body(moscow_time(date(2025, 10, 27), 11))
    written = HotPathSql.aggregates

    def failing(sql: HotPathSql, *args: Any) -> list[tuple[str, Any, bool]]:
        return [*written(sql, *args), ("SELECT * FROM no_such_table", (), False)]

    monkeypatch.setattr(HotPathSql, "aggregates", failing)
    try:
        answer = client.post(
            "/api/v1/reports", json={"reports": [fix]}, headers=phone.session.device
        )
    except (psycopg.Error, asyncpg.PostgresError, sqlite3.Error):
        pass  # raised to the server (its error page)
    else:
        assert answer.status_code == 503, answer.text
    monkeypatch.undo()

    stored = phone.get("/api/v1/me/reports?limit=100")["reports"]
    assert fix["client_id"] not in {r["client_id"] for r in stored}
    [result] = phone.send([fix])["results"]
    assert result["status"] == "accepted"  # not "duplicate": the failed attempt stored nothing
