"""The daily sweep remembers how far it got (issue 14 point 4), on SQLite and PostgreSQL: a
finished day is not examined again, ``again`` examines everyone once more, a run that stopped
half-way resumes after the last person it finished, and each run says how long each phase
took."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from compliance_support import Phone, enrol, moscow_time, sweep_on
from fastapi.testclient import TestClient

from amina.bootstrap import Container
from amina.services.clock import FixedClock
from amina.services.compliance.sweep import sweep

SILENT_SINCE = date(2025, 10, 30)
DAY = date(2025, 11, 6)  # more than three working days after 30 Oct: a no-data notice is due
#: two working days (5 and 6 Nov) before ``DAY``: a reminder, which leaves the registration
#: active (so the person would be examined again by a sweep that does not remember)
REMINDED_SINCE = date(2025, 11, 1)


@pytest.fixture
def silent_people(
    client: TestClient, container: Container, clock: FixedClock
) -> Callable[..., list[Phone]]:
    def make(count: int, since: date = SILENT_SINCE) -> list[Phone]:
        people = []
        for number in range(count):
            phone = enrol(client, container, clock, f"77252{number:05d}", date(2025, 10, 20))
            phone.report_on(since)
            people.append(phone)
        return people

    return make


class Stopped(Exception):
    """The process died in the middle of the run."""


def test_a_rerun_of_a_finished_day_examines_nobody_and_issues_nothing(
    silent_people: Callable[..., list[Phone]], container: Container, clock: FixedClock
) -> None:
    [phone] = silent_people(1)
    first = sweep_on(container, clock, DAY)
    second = sweep_on(container, clock, DAY)
    assert (first.notices, first.candidates, first.issue_pass_done_before) == (1, 1, False)
    assert (second.notices, second.candidates, second.issue_pass_done_before) == (0, 0, True)
    assert len(phone.notices()) == 1


def test_again_examines_everyone_once_more_and_still_issues_nothing_twice(
    silent_people: Callable[..., list[Phone]], container: Container, clock: FixedClock
) -> None:
    [phone] = silent_people(1)
    sweep_on(container, clock, DAY)
    clock.set(moscow_time(DAY, 10))
    again = sweep(container.uow, clock, DAY, again=True)
    # the registration awaits confirmation now: nobody is left to examine, nothing is issued
    assert (again.notices, again.reminders, again.issue_pass_done_before) == (0, 0, False)
    assert len(phone.notices()) == 1
    assert [m["kind"] for m in phone.inbox()].count("notice") == 1


def test_a_run_that_stopped_half_way_resumes_after_the_last_person_it_finished(
    silent_people: Callable[..., list[Phone]], container: Container, clock: FixedClock
) -> None:
    people = silent_people(3, REMINDED_SINCE)

    def dies_after_the_first_chunk(_examined: int) -> None:
        raise Stopped

    clock.set(moscow_time(DAY, 9))
    with pytest.raises(Stopped):
        sweep(container.uow, clock, DAY, chunk_size=1, progress=dies_after_the_first_chunk)
    assert [len(p.inbox()) for p in people].count(1) == 1

    resumed = sweep_on(container, clock, DAY)
    # the reminded person is still active, but is not examined again
    assert (resumed.candidates, resumed.reminders) == (2, 2)
    assert [[m["kind"] for m in p.inbox()] for p in people] == [["reminder"]] * 3


def test_each_run_reports_the_time_and_rows_of_each_phase(
    silent_people: Callable[..., list[Phone]], container: Container, clock: FixedClock
) -> None:
    silent_people(2)
    report = sweep_on(container, clock, DAY)
    assert list(report.phases)[:3] == ["setup", "resolve", "deadlines"]
    assert report.phases["issue: read candidates"].rows == 2
    assert report.phases["issue: decide"].rows == 2
    assert report.phases["issue: write"].rows == 2
    assert all(p.seconds >= 0 and p.cpu_seconds >= 0 for p in report.phases.values())


def test_a_chunk_that_fails_to_write_stops_the_run_and_a_rerun_issues_the_rest_once(
    silent_people: Callable[..., list[Phone]],
    container: Container,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On PostgreSQL chunks are written on a thread of their own while the next is decided:
    a failure there still stops the run with its error, nothing after it is written, and what
    was committed before it counts as done."""
    from amina.services.compliance import sweep as sweep_module

    people = silent_people(3, REMINDED_SINCE)
    real_tell_many = sweep_module.tell_many
    calls = 0

    def fails_on_the_second_chunk(*arguments: object, **options: object) -> object:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise Stopped
        return real_tell_many(*arguments, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(sweep_module, "tell_many", fails_on_the_second_chunk)
    clock.set(moscow_time(DAY, 9))
    with pytest.raises(Stopped):
        sweep(container.uow, clock, DAY, chunk_size=1)
    assert calls == 2  # the third chunk was never written
    assert sorted(len(p.inbox()) for p in people) == [0, 0, 1]  # (in person id order)

    monkeypatch.setattr(sweep_module, "tell_many", real_tell_many)
    resumed = sweep_on(container, clock, DAY)
    assert (resumed.candidates, resumed.reminders) == (2, 2)
    assert [[m["kind"] for m in p.inbox()] for p in people] == [["reminder"]] * 3
