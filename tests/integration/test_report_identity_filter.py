"""A report's identity (API.md: its client id with its device time) is checked through the
person's filter of recent client ids (``amina.domain.identity_filter``, ADR 003) — and stays
exactly the rule it was: a late batch older than the filter covers, the filter's generations
rotating day by day, the upgrade that brings the filter, a report from a clock far ahead, and a
false positive all get the answers the stored reports give."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from report_support import fix, reporting_person, send, statuses
from sign_in_support import WORKER, Session, sign_in

from amina.adapters.db.migrate import downgrade, upgrade
from amina.bootstrap import Container
from amina.entrypoints.jobs.schedule import scheduled_jobs
from amina.entrypoints.jobs.scheduler import Scheduler
from amina.services.clock import FixedClock

NOW = datetime.fromisoformat("2025-11-05T10:00:00+03:00")


def purge(container: Container) -> None:
    job = next(j for j in scheduled_jobs() if j.name == "report-retention")
    assert Scheduler(container, [job]).tick() == ["report-retention"]


def held_times(client: TestClient, session: Session, client_id: str) -> list[str]:
    answer = client.get("/api/v1/me/reports", params={"limit": "1000"}, headers=session.bearer)
    assert answer.status_code == 200, answer.text
    return [r["device_time"] for r in answer.json()["reports"] if r["client_id"] == client_id]


def error_code(answer: object) -> str:
    return answer.json()["results"][0]["error"]["code"]  # type: ignore[attr-defined, no-any-return]


def test_a_late_batch_from_days_ago_is_checked_against_the_stored_reports(
    client: TestClient, container: Container
) -> None:
    me = reporting_person(client, container)
    queued = fix(NOW - timedelta(days=5), client_id="queued-1")
    assert statuses(send(client, me, queued)) == ["accepted"]

    restamped = {**queued, "device_time": (NOW - timedelta(days=5, hours=-2)).isoformat()}
    answer = send(client, me, restamped)

    assert statuses(answer) == ["rejected"]
    assert error_code(answer) == "client_id_reused"
    assert statuses(send(client, me, queued)) == ["duplicate"]
    assert held_times(client, me, "queued-1") == ["2025-10-31T07:00:00Z"]


def test_a_client_id_reused_after_its_generation_left_the_filter_is_still_rejected(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    me = reporting_person(client, container)
    first = fix(NOW - timedelta(hours=1), client_id="evening")
    assert statuses(send(client, me, first)) == ["accepted"]
    clock.set(NOW + timedelta(days=2, hours=12))
    purge(container)

    me = sign_in(client, dict(WORKER))
    restamped = {**first, "device_time": (NOW + timedelta(hours=10)).isoformat()}
    answer = send(client, me, restamped)

    assert statuses(answer) == ["rejected"]
    assert error_code(answer) == "client_id_reused"
    assert held_times(client, me, "evening") == ["2025-11-05T06:00:00Z"]


def test_a_report_from_a_clock_far_ahead_may_be_sent_again_once_it_was_purged(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    me = reporting_person(client, container)
    ahead = fix(NOW + timedelta(days=60), client_id="clock-ahead")
    assert statuses(send(client, me, ahead)) == ["accepted"]
    assert statuses(send(client, me, ahead)) == ["duplicate"]
    clock.set(NOW + timedelta(days=31))
    purge(container)  # purged by the day it arrived

    me = sign_in(client, dict(WORKER))
    assert held_times(client, me, "clock-ahead") == []
    assert statuses(send(client, me, ahead)) == ["accepted"]
    assert statuses(send(client, me, ahead)) == ["duplicate"]
    restamped = {**ahead, "device_time": (NOW + timedelta(days=60, hours=1)).isoformat()}
    assert statuses(send(client, me, restamped)) == ["rejected"]


def test_reports_stored_before_the_upgrade_that_brought_the_filter_keep_their_identity(
    client: TestClient, container: Container
) -> None:
    me = reporting_person(client, container)
    first = fix(NOW - timedelta(hours=3), client_id="before-upgrade")
    assert statuses(send(client, me, first)) == ["accepted"]

    downgrade(container.engine, "0016")
    upgrade(container.engine)

    restamped = {**first, "device_time": (NOW - timedelta(minutes=5)).isoformat()}
    answer = send(client, me, restamped)
    assert statuses(answer) == ["rejected"]
    assert error_code(answer) == "client_id_reused"
    assert statuses(send(client, me, first)) == ["duplicate"]


def test_the_upgrade_that_moves_the_filter_to_its_own_table_keeps_both_days_identities(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    me = reporting_person(client, container)
    clock.set(NOW - timedelta(days=1))
    yesterday = fix(clock.now() - timedelta(minutes=5), client_id="yesterday")
    assert statuses(send(client, me, yesterday)) == ["accepted"]
    clock.set(NOW)
    me = sign_in(client, dict(WORKER))
    today = fix(NOW - timedelta(minutes=5), client_id="today")
    assert statuses(send(client, me, today)) == ["accepted"]  # the filter turned over

    downgrade(container.engine, "0017")
    upgrade(container.engine)

    for sent in (yesterday, today):
        assert statuses(send(client, me, sent)) == ["duplicate"]
        moved = datetime.fromisoformat(str(sent["device_time"])) + timedelta(minutes=3)
        answer = send(client, me, {**sent, "device_time": moved.isoformat()})
        assert statuses(answer) == ["rejected"]
        assert error_code(answer) == "client_id_reused"
    assert statuses(send(client, me, fix(NOW, client_id="fresh"))) == ["accepted"]


def test_a_client_id_used_again_days_later_is_checked_against_its_latest_report(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    me = reporting_person(client, container)
    first = fix(NOW - timedelta(hours=36), client_id="weekly")
    assert statuses(send(client, me, first)) == ["accepted"]
    # more than a day away from the first: a report of its own (API.md's window)
    again = {**first, "device_time": NOW.isoformat()}
    assert statuses(send(client, me, again)) == ["accepted"]
    clock.set(NOW + timedelta(hours=13))
    purge(container)

    me = sign_in(client, dict(WORKER))
    restamped = {**first, "device_time": (NOW + timedelta(hours=1)).isoformat()}
    answer = send(client, me, restamped)

    assert statuses(answer) == ["rejected"]
    assert error_code(answer) == "client_id_reused"
    assert held_times(client, me, "weekly") == ["2025-11-05T07:00:00Z", "2025-11-03T19:00:00Z"]


def test_a_client_id_the_filter_wrongly_holds_is_answered_by_the_stored_reports(
    client: TestClient, container: Container
) -> None:
    # a one-bit filter: once anything was stored, every client id looks held (a false
    # positive for each new one), and the stored reports decide
    container.reports.ingest.filter_bits = 1
    me = reporting_person(client, container)
    assert statuses(send(client, me, fix(NOW - timedelta(hours=2), client_id="first"))) == [
        "accepted"
    ]

    fresh = fix(NOW - timedelta(hours=1), client_id="never-sent")
    assert statuses(send(client, me, fresh)) == ["accepted"]
    assert statuses(send(client, me, fresh)) == ["duplicate"]
    restamped = {**fresh, "device_time": NOW.isoformat()}
    answer = send(client, me, restamped)
    assert statuses(answer) == ["rejected"]
    assert error_code(answer) == "client_id_reused"
    assert held_times(client, me, "never-sent") == ["2025-11-05T06:00:00Z"]


def test_a_client_id_reused_across_the_filter_s_day_boundary_is_rejected(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    me = reporting_person(client, container)
    late_evening = NOW.replace(hour=23, minute=50)  # 20:50 UTC
    clock.set(late_evening)
    first = fix(late_evening - timedelta(minutes=5), client_id="night")
    assert statuses(send(client, me, first)) == ["accepted"]
    for days in (1, 2):  # the filter's generations turn over twice (UTC days)
        clock.set(late_evening + timedelta(days=days, hours=-12))
        me = sign_in(client, dict(WORKER))
        other = fix(clock.now() - timedelta(minutes=1), client_id=f"day-{days}")
        assert statuses(send(client, me, other)) == ["accepted"]

    restamped = {**first, "device_time": (late_evening + timedelta(hours=3)).isoformat()}
    answer = send(client, me, restamped)
    assert statuses(answer) == ["rejected"]
    assert error_code(answer) == "client_id_reused"
    assert statuses(send(client, me, first)) == ["duplicate"]
