"""The working-day calendar with its supervisor-edited overrides.

The ``holidays`` package knows the production calendar as published; a decree it does not
know yet (a transferred day off, a working Saturday) is entered here as an override, which
wins over the library. Every change is audited with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from amina.adapters.db.policy.tables import CalendarOverrideRow
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.domain.calendar import WorkingCalendar
from amina.i18n import N_
from amina.services.audit.trail import SYSTEM, Actor, record_access
from amina.services.clock import Clock
from amina.services.errors import AminaError, ErrorKind, FieldError
from amina.services.staff.permissions import Permission, require

#: A reason must say something, e.g. the decree the change follows.
MIN_REASON_LENGTH = 5


@dataclass(frozen=True)
class CalendarOverride:
    day: date
    is_working: bool
    reason: str
    created_at: datetime
    created_by: str | None


def calendar_overrides(uow: UnitOfWork) -> dict[date, bool]:
    rows = uow.session.execute(select(CalendarOverrideRow.day, CalendarOverrideRow.is_working))
    return {row.day: row.is_working for row in rows}


def working_calendar(uow: UnitOfWork) -> WorkingCalendar:
    """The calendar in force, overrides included. Anyone may call it."""
    return WorkingCalendar(calendar_overrides(uow))


def list_overrides(uow: UnitOfWork) -> list[CalendarOverride]:
    """Every override, by date. Anyone may read them: the calendar is public."""
    rows = uow.session.scalars(select(CalendarOverrideRow).order_by(CalendarOverrideRow.day))
    return [
        CalendarOverride(r.day, r.is_working, r.reason, r.created_at, r.created_by) for r in rows
    ]


def _may_edit(actor: Actor) -> None:
    # The system actor is the server's operator running `amina calendar override`; staff need
    # the calendar.edit permission (supervisors).
    if actor != SYSTEM:
        require(actor, Permission.calendar_edit)


def _reason(reason: str) -> str:
    reason = reason.strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise AminaError(
            "reason_required",
            ErrorKind.invalid,
            N_("State the reason"),
            N_("Every change to the working-day calendar needs a reason, such as the decree."),
            errors=[
                FieldError(
                    "reason",
                    "reason_required",
                    N_("Name the decree or say why (at least 5 characters)."),
                )
            ],
        )
    return reason


def set_override(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    day: date,
    is_working: bool,
    reason: str,
) -> CalendarOverride:
    """Mark ``day`` as a working day or a day off, whatever the library says.

    Supervisors (``calendar.edit``) from the console; the system actor from the CLI. Audited
    with the reason as purpose, in the caller's unit of work; the caller commits.
    """
    _may_edit(actor)
    reason = _reason(reason)
    row = uow.session.get(CalendarOverrideRow, day)
    previous = None if row is None else row.is_working
    now = clock.now()
    if row is None:
        row = CalendarOverrideRow(day=day)
        uow.session.add(row)
    row.is_working = is_working
    row.reason = reason
    row.created_at = now
    row.created_by = actor.staff_id
    record_access(
        uow,
        clock,
        actor,
        action="calendar.override_set",
        purpose=reason,
        details={"day": day.isoformat(), "is_working": is_working, "previous": previous},
    )
    return CalendarOverride(day, is_working, reason, now, actor.staff_id)


def remove_override(uow: UnitOfWork, clock: Clock, actor: Actor, day: date, reason: str) -> None:
    """Let the library decide ``day`` again. Same callers and audit as :func:`set_override`."""
    _may_edit(actor)
    reason = _reason(reason)
    row = uow.session.get(CalendarOverrideRow, day)
    if row is None:
        raise AminaError(
            "override_not_found",
            ErrorKind.not_found,
            N_("No such override"),
            N_("This day has no override in the working-day calendar."),
        )
    was_working = row.is_working
    uow.session.delete(row)
    record_access(
        uow,
        clock,
        actor,
        action="calendar.override_removed",
        purpose=reason,
        details={"day": day.isoformat(), "previous": was_working},
    )


# --- use cases: each in one transaction of its own, committed here ------------------------------


def submit_calendar_override(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    day: date,
    is_working: bool,
    reason: str,
) -> CalendarOverride:
    """A supervisor (console) or the system (CLI) overrides a day (:func:`set_override`)."""
    with uow_factory() as uow:
        saved = set_override(uow, clock, actor, day, is_working, reason)
        uow.commit()
    return saved


def withdraw_calendar_override(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor, day: date, reason: str
) -> None:
    """A supervisor (console) or the system (CLI) drops a day's override
    (:func:`remove_override`)."""
    with uow_factory() as uow:
        remove_override(uow, clock, actor, day, reason)
        uow.commit()
