"""The console page /console/calendar: supervisors enter decrees the holidays library does not
know yet (a day off or a working day), and see every override with its reason."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from amina.adapters.web.context import container_of
from amina.adapters.web.staff_auth import render_console, staff_with, use_console_language
from amina.domain.calendar import WorkingCalendar, moscow_date
from amina.i18n import N_
from amina.services.errors import AminaError, ErrorKind, FieldError
from amina.services.policy.calendar import (
    list_overrides,
    submit_calendar_override,
    withdraw_calendar_override,
)
from amina.services.staff.accounts import SignedInStaff
from amina.services.staff.permissions import Permission

router = APIRouter(include_in_schema=False, dependencies=[Depends(use_console_language)])

#: How many days ahead the page shows the calendar in force.
DAYS_AHEAD = 21


def _date_invalid() -> AminaError:
    return AminaError(
        "day_invalid",
        ErrorKind.invalid,
        N_("Enter a date"),
        N_("Choose the day the decree is about."),
        errors=[FieldError("day", "day_invalid", N_("Enter a date as YYYY-MM-DD."))],
    )


def _page(
    request: Request,
    *,
    status_code: int = 200,
    error: AminaError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    container = container_of(request)
    with container.uow() as uow:
        overrides = list_overrides(uow)
    calendar = WorkingCalendar({o.day: o.is_working for o in overrides})
    library = WorkingCalendar()
    today = moscow_date(container.clock.now())
    upcoming = [today + timedelta(days=n) for n in range(DAYS_AHEAD)]
    return render_console(
        request,
        "console/calendar.html",
        status_code=status_code,
        overrides=[(o, library.is_working_day(o.day)) for o in overrides],
        upcoming=[(day, calendar.is_working_day(day)) for day in upcoming],
        error=error,
        form=form or {},
    )


@router.get("/console/calendar", response_class=HTMLResponse)
def calendar_page(
    request: Request, _staff: SignedInStaff = Depends(staff_with(Permission.calendar_edit))
) -> HTMLResponse:
    return _page(request)


@router.post("/console/calendar", response_class=HTMLResponse)
def calendar_override_submit(
    request: Request,
    day: Annotated[str, Form(max_length=10)] = "",
    kind: Annotated[str, Form(max_length=10)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
    staff: SignedInStaff = Depends(staff_with(Permission.calendar_edit)),
) -> Response:
    container = container_of(request)
    form = {"day": day, "kind": kind, "reason": reason}
    try:
        try:
            when = date.fromisoformat(day)
        except ValueError as error:
            raise _date_invalid() from error
        if kind not in ("working", "day_off"):
            raise AminaError(
                "kind_invalid",
                ErrorKind.invalid,
                N_("Choose working day or day off"),
                errors=[FieldError("kind", "kind_invalid", N_("Choose working day or day off"))],
            )
        submit_calendar_override(
            container.uow, container.clock, staff.actor, when, kind == "working", reason
        )
    except AminaError as error:
        return _page(request, status_code=422, error=error, form=form)
    return RedirectResponse("/console/calendar", status_code=303)


@router.post("/console/calendar/{day}/remove", response_class=HTMLResponse)
def calendar_override_remove(
    request: Request,
    day: date,
    reason: Annotated[str, Form(max_length=500)] = "",
    staff: SignedInStaff = Depends(staff_with(Permission.calendar_edit)),
) -> Response:
    container = container_of(request)
    try:
        withdraw_calendar_override(container.uow, container.clock, staff.actor, day, reason)
    except AminaError as error:
        status = 404 if error.kind is ErrorKind.not_found else 422
        return _page(request, status_code=status, error=error)
    return RedirectResponse("/console/calendar", status_code=303)
