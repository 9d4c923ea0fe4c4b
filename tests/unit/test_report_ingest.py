"""The ingest use case on fakes (tests/fakes): what a phone is answered, in milliseconds,
without a database. The same behaviour on SQLite and PostgreSQL is pinned by
tests/integration/test_location_reports.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from fakes.reports import FakeReports
from fakes.uow import FakeUnitOfWork

from amina.adapters.external.boundaries import region_classifier
from amina.adapters.web.api.report_body import read_reports
from amina.domain.policy import INITIAL_POLICY_DOCUMENT, INITIAL_POLICY_VERSION, Policy
from amina.services.clock import FixedClock
from amina.services.identity.sessions import CredentialRefused
from amina.services.reports.ingest import DeviceStatus, ReportIngest

NOW = datetime.fromisoformat("2025-11-05T10:00:00+03:00")
POLICY = Policy.from_doc(INITIAL_POLICY_VERSION, date(2025, 9, 1), INITIAL_POLICY_DOCUMENT)
HOME = (55.7558, 37.6173)


def report(client_id: str, minute: int = 0, **changes: Any) -> dict[str, Any]:
    """One report item as the app sends it (decoded JSON)."""
    values: dict[str, Any] = {
        "client_id": client_id,
        "device_time": NOW.replace(hour=9, minute=minute).isoformat(),
        "lat": HOME[0],
        "lon": HOME[1],
        "accuracy_m": 12.0,
    }
    return {**values, **changes}


@pytest.fixture
def reports() -> FakeReports:
    held = FakeReports()
    held.add_device("credential", person_id="p1", device_id="d1", address=HOME)
    return held


@pytest.fixture
def ingest(reports: FakeReports) -> ReportIngest:
    return ReportIngest(
        FakeUnitOfWork,
        FixedClock(NOW),
        region_classifier,
        store=reports.store,  # type: ignore[arg-type]
        policy=lambda _uow, _day: POLICY,
    )


def test_a_batch_is_stored_and_sent_again_it_is_a_duplicate_with_the_same_flags(
    ingest: ReportIngest, reports: FakeReports
) -> None:
    batch = read_reports([report("a"), report("b", minute=5, accuracy_m=5000.0)])
    first = ingest.ingest_from_device("credential", batch)
    assert [(r.status, r.flags) for r in first.results] == [
        ("accepted", ()),
        ("accepted", ("low_accuracy",)),
    ]
    again = ingest.ingest_from_device("credential", batch)
    assert [(r.status, r.flags) for r in again.results] == [
        ("duplicate", ()),
        ("duplicate", ("low_accuracy",)),
    ]
    assert reports.summaries == {("p1", date(2025, 11, 5)): 2}


def test_a_report_the_domain_refuses_is_rejected_and_the_rest_of_the_batch_is_stored(
    ingest: ReportIngest, reports: FakeReports
) -> None:
    outcome = ingest.ingest_from_device(
        "credential", read_reports([report("a"), report("far", lat=91.0), report("a")])
    )
    assert [r.status for r in outcome.results] == ["accepted", "rejected", "duplicate"]
    error = outcome.results[1].error
    assert error is not None
    assert (error.code, error.field) == ("coordinates_out_of_range", "lat")
    assert len(reports.reports) == 1


def test_a_status_from_a_phone_with_location_off_is_stored_as_of_its_arrival(
    ingest: ReportIngest, reports: FakeReports
) -> None:
    status = DeviceStatus(None, True, False, None, "1.4.0")
    outcome = ingest.ingest_from_device("credential", read_reports([], status))
    assert outcome.status is not None
    assert outcome.status.status == "accepted"
    [stored] = reports.statuses.values()
    assert stored.reported_at == NOW
    assert stored.location_services is False


def test_an_unknown_credential_is_refused_and_nothing_is_stored(
    ingest: ReportIngest, reports: FakeReports
) -> None:
    with pytest.raises(CredentialRefused):
        ingest.ingest_from_device("someone else's", read_reports([report("a")]))
    assert reports.reports == {}


def test_a_client_id_sent_again_with_another_device_time_is_rejected_and_not_stored(
    ingest: ReportIngest, reports: FakeReports
) -> None:
    ingest.ingest_from_device("credential", read_reports([report("a")]))
    outcome = ingest.ingest_from_device(
        "credential", read_reports([report("a", minute=7), report("b", minute=8)])
    )
    assert [r.status for r in outcome.results] == ["rejected", "accepted"]
    error = outcome.results[0].error
    assert error is not None
    assert (error.code, error.field) == ("client_id_reused", "client_id")
    assert sorted((key[3], key[1].minute) for key in reports.reports) == [("a", 0), ("b", 8)]
    assert reports.summaries == {("p1", date(2025, 11, 5)): 2}


def test_a_report_sent_again_from_the_persons_new_phone_is_a_duplicate_stored_once(
    ingest: ReportIngest, reports: FakeReports
) -> None:
    reports.add_device("new phone", person_id="p1", device_id="d2", address=HOME)
    ingest.ingest_from_device("credential", read_reports([report("a")]))
    outcome = ingest.ingest_from_device("new phone", read_reports([report("a")]))
    assert [r.status for r in outcome.results] == ["duplicate"]
    assert len(reports.reports) == 1
    assert reports.summaries == {("p1", date(2025, 11, 5)): 1}
