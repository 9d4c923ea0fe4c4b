"""A batch of reports and the notice it resolves are one transaction, on SQLite and on
PostgreSQL alike (issue 9 point 4): the phone is never told "error" for reports that were in
fact stored, and a notice is never left open behind reports that cover it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from compliance_support import enrol, moscow_time, sweep_on
from fastapi.testclient import TestClient

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
