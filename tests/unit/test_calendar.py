"""The working-day calendar, pinned to real dates of the Russian production calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amina.domain.calendar import WorkingCalendar, moscow_date

CALENDAR = WorkingCalendar()


def test_1_november_2025_is_a_working_saturday() -> None:
    assert date(2025, 11, 1).weekday() == 5
    assert CALENDAR.is_working_day(date(2025, 11, 1))


def test_3_and_4_november_2025_are_days_off() -> None:
    assert not CALENDAR.is_working_day(date(2025, 11, 3))  # Monday, moved from 1 November
    assert not CALENDAR.is_working_day(date(2025, 11, 4))  # Unity Day
    assert CALENDAR.is_working_day(date(2025, 11, 5))


def test_1_to_11_january_2026_are_days_off_and_12_january_is_a_working_day() -> None:
    for day in range(1, 12):
        assert not CALENDAR.is_working_day(date(2026, 1, day)), day
    assert CALENDAR.is_working_day(date(2026, 1, 12))


def test_may_2026_holidays() -> None:
    days_off = [1, 2, 3, 9, 10, 11]
    for day in range(1, 13):
        assert CALENDAR.is_working_day(date(2026, 5, day)) is (
            day not in days_off and date(2026, 5, day).weekday() < 5
        ), day


def test_one_working_day_after_friday_31_october_2025_is_the_working_saturday() -> None:
    assert CALENDAR.add_working_days(date(2025, 10, 31), 1) == date(2025, 11, 1)


def test_the_working_day_after_the_working_saturday_is_wednesday_5_november() -> None:
    assert CALENDAR.add_working_days(date(2025, 11, 1), 1) == date(2025, 11, 5)
    assert CALENDAR.add_working_days(date(2025, 10, 31), 3) == date(2025, 11, 6)


def test_three_working_days_of_silence_across_the_november_2025_holiday() -> None:
    # a last report on Thursday 30 October: Fri 31, Sat 1 and Wed 5 are the three working days
    assert CALENDAR.working_days_between(date(2025, 10, 30), date(2025, 11, 4)) == 2
    assert CALENDAR.working_days_between(date(2025, 10, 30), date(2025, 11, 5)) == 3


def test_the_new_year_break_2026_counts_no_working_days() -> None:
    assert CALENDAR.add_working_days(date(2025, 12, 30), 1) == date(2026, 1, 12)
    assert CALENDAR.working_days_between(date(2025, 12, 30), date(2026, 1, 11)) == 0
    assert CALENDAR.working_days_between(date(2025, 12, 29), date(2026, 1, 12)) == 2


def test_zero_working_days_from_a_day_off_is_the_next_working_day() -> None:
    assert CALENDAR.add_working_days(date(2025, 11, 2), 0) == date(2025, 11, 5)
    assert CALENDAR.add_working_days(date(2025, 11, 5), 0) == date(2025, 11, 5)


def test_working_days_between_is_zero_when_the_end_is_not_after_the_start() -> None:
    assert CALENDAR.working_days_between(date(2025, 11, 5), date(2025, 11, 5)) == 0
    assert CALENDAR.working_days_between(date(2025, 11, 6), date(2025, 11, 5)) == 0


def test_negative_working_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        CALENDAR.add_working_days(date(2025, 11, 5), -1)


def test_an_override_wins_over_the_library_both_ways() -> None:
    decree = WorkingCalendar({date(2025, 11, 3): True, date(2025, 11, 5): False})
    assert decree.is_working_day(date(2025, 11, 3))
    assert not decree.is_working_day(date(2025, 11, 5))
    assert decree.add_working_days(date(2025, 11, 1), 1) == date(2025, 11, 3)
    assert decree.add_working_days(date(2025, 11, 3), 1) == date(2025, 11, 6)
    assert decree.working_days_between(date(2025, 10, 31), date(2025, 11, 6)) == 3


def test_half_past_eleven_utc_is_already_the_next_day_in_moscow() -> None:
    friday_evening_utc = datetime(2025, 10, 31, 23, 30, tzinfo=UTC)
    assert moscow_date(friday_evening_utc) == date(2025, 11, 1)
    assert moscow_date(datetime(2025, 10, 31, 20, 59, tzinfo=UTC)) == date(2025, 10, 31)
    assert moscow_date(datetime(2025, 10, 31, 21, 0, tzinfo=UTC)) == date(2025, 11, 1)


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        moscow_date(datetime(2025, 10, 31, 23, 30))  # noqa: DTZ001


days = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))
counts = st.integers(min_value=0, max_value=60)


@given(days, counts)
def test_adding_working_days_always_lands_on_a_working_day(start: date, n: int) -> None:
    assert CALENDAR.is_working_day(CALENDAR.add_working_days(start, n))


@given(days, st.integers(min_value=1, max_value=60))
def test_working_days_between_undoes_add_working_days(start: date, n: int) -> None:
    assert CALENDAR.working_days_between(start, CALENDAR.add_working_days(start, n)) == n


@given(days, st.integers(min_value=1, max_value=60))
def test_the_nth_working_day_comes_after_at_least_n_calendar_days(start: date, n: int) -> None:
    assert CALENDAR.add_working_days(start, n) >= start + timedelta(days=n)


@given(
    st.dictionaries(days, st.booleans(), max_size=20),
    days,
    st.integers(min_value=1, max_value=30),
)
def test_with_any_overrides_adding_and_counting_still_agree(
    overrides: dict[date, bool], start: date, n: int
) -> None:
    calendar = WorkingCalendar(overrides)
    end = calendar.add_working_days(start, n)
    assert calendar.is_working_day(end)
    assert calendar.working_days_between(start, end) == n
    for day, working in overrides.items():
        assert calendar.is_working_day(day) is working
