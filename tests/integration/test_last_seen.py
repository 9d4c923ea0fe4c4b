"""When a person was last seen (issue 10 point 1), on SQLite and PostgreSQL: a report counts
for compliance at the earlier of its device time and its arrival, so a report from the future
— one dated 2099, or a phone whose clock runs days ahead — never keeps a silent person "seen".
The rule is ``amina.domain.reports.counted_at``; the last-report row and the daily summaries
follow it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from compliance_support import Phone, enrol, moscow_time, sweep_days
from fastapi.testclient import TestClient

from amina.bootstrap import Container
from amina.services.clock import FixedClock

Enrol = Callable[[], Phone]
SENT_ON = date(2025, 10, 30)


@pytest.fixture
def person(client: TestClient, container: Container, clock: FixedClock) -> Enrol:
    made: list[Phone] = []

    def make() -> Phone:
        phone = enrol(client, container, clock, f"77252{len(made):05d}", date(2025, 10, 20))
        made.append(phone)
        return phone

    return make


def sends_once(phone: Phone, device_time: datetime) -> dict[str, object]:
    """The phone sends one report at noon on 30 October 2025, stamped ``device_time``."""
    phone.clock.set(moscow_time(SENT_ON, 12))
    [result] = phone.send([phone.report_body(device_time)])["results"]
    assert result["status"] == "accepted", result
    return dict(result)


def test_a_person_whose_one_report_came_from_the_future_gets_the_notice_on_the_same_day(
    person: Enrol, container: Container, clock: FixedClock
) -> None:
    ordinary = person()
    sends_once(ordinary, moscow_time(SENT_ON, 12))
    from_2099 = person()
    assert "future_time" in sends_once(from_2099, datetime(2099, 1, 1, 12, tzinfo=UTC))["flags"]
    clock_two_days_ahead = person()
    sends_once(clock_two_days_ahead, moscow_time(SENT_ON, 12) + timedelta(days=2))

    sweeps = sweep_days(container, clock, date(2025, 10, 31), date(2025, 11, 6))

    # last seen Thu 30 Oct: silent Fri 31, Sat 1 (a working Saturday), Wed 5, Thu 6 Nov (> 3)
    assert {day: s.notices for day, s in sweeps.items() if s.notices} == {date(2025, 11, 6): 3}
    for phone in (ordinary, from_2099, clock_two_days_ahead):
        assert [(n["kind"], n["deadline"]) for n in phone.notices()] == [("no_data", "2025-11-11")]


def test_a_report_from_the_future_is_summarised_on_the_day_it_arrived(
    person: Enrol,
) -> None:
    phone = person()
    sends_once(phone, datetime(2099, 1, 1, 12, tzinfo=UTC))

    held = phone.get("/api/v1/me/summaries?from=2025-10-01&to=2099-12-31")["summaries"]

    [summary] = held
    assert summary["day"] == SENT_ON.isoformat()
    assert summary["reports"] == 1
    assert summary["flags"]["future_time"] == 1
    arrived = moscow_time(SENT_ON, 12).astimezone(UTC)
    assert datetime.fromisoformat(summary["last_at"]) == arrived
    settings = phone.get("/api/v1/me/reporting")
    assert datetime.fromisoformat(settings["last_report_at"]) == arrived
