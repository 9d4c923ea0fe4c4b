"""The working-day calendar with its supervisor-edited overrides."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from amina.adapters.db.models import CalendarOverrideRow
from amina.adapters.db.uow import UnitOfWork
from amina.domain.calendar import WorkingCalendar


def calendar_overrides(uow: UnitOfWork) -> dict[date, bool]:
    rows = uow.session.execute(select(CalendarOverrideRow.day, CalendarOverrideRow.is_working))
    return dict(rows)


def working_calendar(uow: UnitOfWork) -> WorkingCalendar:
    """The calendar in force, overrides included. Anyone may call it."""
    return WorkingCalendar(calendar_overrides(uow))
