"""When the evening check-in push is due and what the home screen says is next (issue 13,
point 7): Moscow time, one a day, never after a report that day."""

from __future__ import annotations

from datetime import UTC, datetime, time

from amina.domain.calendar import MOSCOW
from amina.domain.check_in import DEFAULT_REMINDER_TIME, next_check_in, reminder_due


def moscow(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 11, day, hour, minute, tzinfo=MOSCOW)


def test_the_default_reminder_is_at_eight_in_the_evening() -> None:
    assert time(20, 0) == DEFAULT_REMINDER_TIME


def test_the_push_is_due_from_the_chosen_moscow_time_on_a_day_without_reports() -> None:
    yesterday = moscow(4, 12)
    assert not reminder_due(moscow(5, 19, 59), time(20), yesterday, reminded_today=False)
    assert reminder_due(moscow(5, 20, 0), time(20), yesterday, reminded_today=False)
    # The clock of the server is UTC: 17:00 UTC is 20:00 in Moscow.
    assert reminder_due(
        datetime(2025, 11, 5, 17, 0, tzinfo=UTC), time(20), None, reminded_today=False
    )


def test_no_push_after_a_report_that_day_or_a_second_one() -> None:
    assert not reminder_due(moscow(5, 21), time(20), moscow(5, 0, 5), reminded_today=False)
    assert not reminder_due(moscow(5, 21), time(20), moscow(4, 12), reminded_today=True)


def test_the_next_check_in_is_today_until_a_report_then_tomorrow() -> None:
    waiting = next_check_in(moscow(5, 10), time(20), moscow(4, 12))
    assert waiting.at == moscow(5, 20)
    assert not waiting.done_today
    assert not waiting.overdue

    late = next_check_in(moscow(5, 21), time(20), moscow(4, 12))
    assert late.overdue

    done = next_check_in(moscow(5, 10), time(20), moscow(5, 9))
    assert done.done_today
    assert done.at == moscow(6, 20)
