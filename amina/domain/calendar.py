"""Working days by the official Russian production calendar, decided in Europe/Moscow.

The ``holidays`` package knows public holidays, transferred days off and working Saturdays.
Decrees it does not know yet are added as overrides (data, edited by supervisors): a date
marked working or not working wins over the library.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays

MOSCOW = ZoneInfo("Europe/Moscow")


def moscow_date(instant: datetime) -> date:
    """The calendar date in Moscow at ``instant`` (which must be timezone-aware)."""
    if instant.tzinfo is None:
        raise ValueError("instant must be timezone-aware")
    return instant.astimezone(MOSCOW).date()


class WorkingCalendar:
    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self._overrides = dict(overrides or {})
        self._official = holidays.country_holidays("RU")
        # the library's answer is slow (~10 µs); a sweep asks about the same days a million times
        self._known: dict[date, bool] = {}

    def is_working_day(self, day: date) -> bool:
        if day in self._overrides:
            return self._overrides[day]
        known = self._known.get(day)
        if known is None:
            known = self._known[day] = bool(self._official.is_working_day(day))
        return known

    def holiday_name(self, day: date) -> str | None:
        name = self._official.get(day)
        return None if name is None else str(name)

    def working_days(self, start: date, end: date) -> Iterator[date]:
        """Working days from ``start`` to ``end``, both included."""
        day = start
        while day <= end:
            if self.is_working_day(day):
                yield day
            day += timedelta(days=1)

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (``start`` itself not counted).

        ``add_working_days(d, 0)`` is ``d`` if it is a working day, else the next working day.
        """
        if n < 0:
            raise ValueError("n must not be negative")
        day = start
        if n == 0:
            while not self.is_working_day(day):
                day += timedelta(days=1)
            return day
        counted = 0
        while counted < n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days lie strictly after ``start`` and up to ``end`` included.

        This is how silence is measured: a report on ``start`` followed by nothing until ``end``
        means ``working_days_between(start, end)`` working days without data.
        """
        if end <= start:
            return 0
        return sum(1 for _ in self.working_days(start + timedelta(days=1), end))
