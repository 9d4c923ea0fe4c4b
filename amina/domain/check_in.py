"""The evening check-in (issue 13, point 7): a web app reports only while it is open, so a
person who chose it gets one push a day, at a time of their choosing (Moscow time), when
Amina has received no report from them that day. Tapping it opens the app, which sends one
location fix.

Pure rules: when the reminder is due, and when the next check-in is due (the home screen).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from amina.domain.calendar import MOSCOW, moscow_date

#: The reminder time a person gets unless they choose another: 20:00 Moscow time. A person's
#: own choice, not a compliance rule (the no-data rule counts working days, not evenings).
DEFAULT_REMINDER_TIME = time(20, 0)
MINUTES_A_DAY = 24 * 60


def minute_of_day(at: time) -> int:
    """``at`` as minutes after midnight (how the chosen time is stored)."""
    return at.hour * 60 + at.minute


def time_of(minute: int) -> time:
    """The inverse of :func:`minute_of_day`; refuses a minute outside the day."""
    if not 0 <= minute < MINUTES_A_DAY:
        raise ValueError("a reminder time is within the day")
    return time(minute // 60, minute % 60)


def day_start(day: date) -> datetime:
    """Midnight in Moscow starting ``day`` (aware)."""
    return datetime.combine(day, time(0, 0), tzinfo=MOSCOW)


def reported_today(last_report_at: datetime | None, now: datetime) -> bool:
    """A report counted on the Moscow day of ``now``."""
    return last_report_at is not None and moscow_date(last_report_at) == moscow_date(now)


def reminder_due(
    now: datetime,
    remind_at: time,
    last_report_at: datetime | None,
    *,
    reminded_today: bool,
) -> bool:
    """The evening push is due: the chosen time has come today (Moscow), no report counted
    today, and none was sent today yet (one a day)."""
    local = now.astimezone(MOSCOW)
    if reminded_today or reported_today(last_report_at, now):
        return False
    return minute_of_day(local.time()) >= minute_of_day(remind_at)


@dataclass(frozen=True)
class NextCheckIn:
    """When the next check-in is due: ``at`` (aware, Moscow time), and whether today's is
    already done (a report counted today) or overdue (the time has passed without one)."""

    at: datetime
    done_today: bool
    overdue: bool


def next_check_in(now: datetime, remind_at: time, last_report_at: datetime | None) -> NextCheckIn:
    """Today at the chosen time while no report counted today; tomorrow's once one has."""
    today = moscow_date(now)
    done = reported_today(last_report_at, now)
    day = today + timedelta(days=1) if done else today
    at = datetime.combine(day, remind_at, tzinfo=MOSCOW)
    return NextCheckIn(at=at, done_today=done, overdue=not done and now >= at)
