"""Raw location data is kept only for the policy's retention period (SPEC §6, §10): a daily job
purges older reports and device status (whole day partitions on PostgreSQL), daily summaries stay,
and the person sees when each report will be deleted."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from report_support import fix, reporting_person, send, statuses
from sign_in_support import WORKER, Session, sign_in
from sqlalchemy import inspect
from typer.testing import CliRunner

from amina.bootstrap import Container
from amina.entrypoints.cli.main import app as cli
from amina.entrypoints.jobs.schedule import scheduled_jobs
from amina.entrypoints.jobs.scheduler import Scheduler
from amina.services.clock import FixedClock
from amina.services.reports.retention import day_partitions, maintain_partitions

NOW = datetime.fromisoformat("2025-11-05T10:00:00+03:00")


def held_ids(client: TestClient, session) -> set[str]:  # type: ignore[no-untyped-def]
    answer = client.get("/api/v1/me/reports", params={"limit": "1000"}, headers=session.bearer)
    return {r["client_id"] for r in answer.json()["reports"]}


def summary_days(client: TestClient, session) -> dict[str, int]:  # type: ignore[no-untyped-def]
    answer = client.get("/api/v1/me/summaries", headers=session.bearer)
    return {s["day"]: s["reports"] for s in answer.json()["summaries"]}


def signed_in_again(client: TestClient) -> Session:
    """A fresh sign-in (the first session's token has expired after the clock moved on)."""
    return sign_in(client, dict(WORKER))


def run_job(container: Container, name: str) -> list[str]:
    job = next(j for j in scheduled_jobs() if j.name == name)
    return Scheduler(container, [job]).tick()


def test_the_daily_purge_removes_reports_older_than_thirty_days_and_keeps_the_summaries(
    client: TestClient, container: Container
) -> None:
    me = reporting_person(client, container)
    reports = [
        fix(NOW - timedelta(days=40), client_id="ancient"),
        fix(NOW - timedelta(days=31), client_id="old"),
        fix(NOW - timedelta(days=30), client_id="last-day"),
        fix(NOW - timedelta(days=1), client_id="yesterday"),
        fix(NOW + timedelta(hours=3), client_id="clock-ahead"),
    ]
    assert statuses(send(client, me, {"reports": reports})) == ["accepted"] * 5
    send(
        client,
        me,
        {"status": {"at": (NOW - timedelta(days=31)).isoformat(), "battery_saver": True}},
    )
    send(client, me, {"status": {"at": NOW.isoformat(), "battery_saver": False}})
    shown = client.get("/api/v1/me/reports", headers=me.bearer).json()["reports"]
    assert {r["client_id"]: r["deleted_after"] for r in shown} == {
        "ancient": "2025-10-26",
        "old": "2025-11-04",  # its last day has passed: it goes in today's purge
        "last-day": "2025-11-05",
        "yesterday": "2025-12-04",
        "clock-ahead": "2025-12-05",
    }
    days_before = summary_days(client, me)

    assert run_job(container, "report-retention") == ["report-retention"]

    assert held_ids(client, me) == {"last-day", "yesterday", "clock-ahead"}
    records = client.get("/api/v1/me/device-status", headers=me.bearer).json()["records"]
    assert [r["battery_saver"] for r in records] == [False]
    assert summary_days(client, me) == days_before  # summaries follow the registration


def test_a_report_from_a_clock_running_ahead_is_purged_by_the_day_it_arrived(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    me = reporting_person(client, container)
    send(client, me, fix(NOW + timedelta(days=3), client_id="three-days-ahead"))
    shown = client.get("/api/v1/me/reports", headers=me.bearer).json()["reports"]
    assert shown[0]["deleted_after"] == "2025-12-05"
    assert "future_time" in shown[0]["flags"]

    clock.set(NOW + timedelta(days=31))
    run_job(container, "report-retention")

    assert held_ids(client, signed_in_again(client)) == set()


def test_the_purge_command_shows_what_would_go_and_deletes_only_with_now(
    client: TestClient, container: Container, database_url: str
) -> None:
    me = reporting_person(client, container)
    send(client, me, {"reports": [fix(NOW - timedelta(days=45)), fix(NOW, client_id="today")]})
    env = {"AMINA_CLOCK": f"fixed:{NOW.isoformat()}", "AMINA_ENV": "test"}
    runner = CliRunner()

    dry = runner.invoke(cli, ["reports", "purge", "--database-url", database_url], env=env)
    assert dry.exit_code == 0, dry.output
    assert "Would remove" in dry.output
    assert "Nothing was deleted" in dry.output
    assert len(held_ids(client, me)) == 2

    done = runner.invoke(
        cli, ["reports", "purge", "--now", "--database-url", database_url], env=env
    )
    assert done.exit_code == 0, done.output
    assert "Removed" in done.output
    assert held_ids(client, me) == {"today"}


def test_both_jobs_are_scheduled_every_day() -> None:
    jobs = {job.name: job for job in scheduled_jobs()}
    assert not jobs["partition-maintenance"].working_days_only
    assert not jobs["report-retention"].working_days_only


# --- PostgreSQL: day partitions --------------------------------------------------------------


def _postgresql_only(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("day partitions exist on PostgreSQL only")


@pytest.mark.usefixtures("client")
def test_day_partitions_are_created_a_week_ahead(container: Container, database_url: str) -> None:
    _postgresql_only(database_url)
    assert run_job(container, "partition-maintenance") == ["partition-maintenance"]

    days = day_partitions(container.uow)
    for table in ("location_reports", "device_status"):
        assert {NOW.date() + timedelta(days=d) for d in range(8)} <= set(days[table])
    assert maintain_partitions(container.uow, container.clock) == []  # idempotent


def test_the_purge_drops_a_whole_day_partition(
    client: TestClient, container: Container, clock: FixedClock, database_url: str
) -> None:
    _postgresql_only(database_url)
    me = reporting_person(client, container)
    clock.set(NOW - timedelta(days=31))
    maintain_partitions(container.uow, clock)  # a month ago the job made these days
    clock.set(NOW)
    send(client, me, {"reports": [fix(NOW - timedelta(days=31, hours=h)) for h in range(3)]})
    send(client, me, fix(NOW - timedelta(days=30), client_id="kept"))
    tables = set(inspect(container.engine).get_table_names())
    assert {"location_reports_p20251005", "location_reports_p20251006"} <= tables

    run_job(container, "report-retention")

    tables = set(inspect(container.engine).get_table_names())
    assert "location_reports_p20251005" not in tables
    assert "location_reports_p20251006" in tables
    assert held_ids(client, me) == {"kept"}


def test_reports_waiting_in_the_default_partition_move_into_their_new_day(
    client: TestClient, container: Container, clock: FixedClock, database_url: str
) -> None:
    _postgresql_only(database_url)
    me = reporting_person(client, container)
    maintain_partitions(container.uow, clock)
    send(client, me, fix(NOW + timedelta(days=10), client_id="ten-days-ahead"))  # no day yet

    clock.set(NOW + timedelta(days=5))
    created = maintain_partitions(container.uow, clock)

    assert "location_reports_p20251115" in created
    again = send(client, me, fix(NOW + timedelta(days=10), client_id="ten-days-ahead"))
    assert statuses(again) == ["duplicate"]
    assert held_ids(client, signed_in_again(client)) == {"ten-days-ahead"}
