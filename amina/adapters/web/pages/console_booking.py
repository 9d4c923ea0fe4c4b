"""Console pages for the migration centre (issue 12, point 5):

- ``/console/booking`` (operators): check a ticket in — the camera reads its QR where the
  browser has ``BarcodeDetector``, or the code is typed — see the visit, mark it checked in,
  served or a no-show (audited); and the day's load per service and hour as a picture;
- ``/console/booking/hours`` (supervisors): opening hours and counters per weekday and service,
  and closing a day; both with a reason that goes to the audit log.
"""

from __future__ import annotations

from datetime import date, time
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from amina.adapters.web.context import container_of
from amina.adapters.web.staff_auth import render_console, staff_with, use_console_language
from amina.domain.booking import SERVICES, ServiceCode, SlotTemplate, grouped_code, service
from amina.domain.calendar import MOSCOW, moscow_date
from amina.services.booking import centre
from amina.services.booking.slots import closed_days, save_opening_hours, templates
from amina.services.errors import AminaError
from amina.services.staff.accounts import SignedInStaff
from amina.services.staff.permissions import Permission

router = APIRouter(include_in_schema=False, dependencies=[Depends(use_console_language)])

HOURS = range(8, 18)
#: The form's buttons; anything else is taken as a no-show.
_OUTCOMES: dict[str, centre.VisitOutcome] = {"check-in": "check-in", "served": "served"}


def _load_picture(load: list[centre.HourLoad]) -> dict[str, object]:
    """The cells of the day's picture: one row per service, one column per hour."""
    cells = {(cell.service, cell.hour): cell for cell in load}
    rows = []
    for s in SERVICES:
        row = []
        for hour in HOURS:
            cell = cells.get((s.code.value, hour))
            share = cell.booked / cell.capacity if cell and cell.capacity else 0.0
            row.append({"hour": hour, "cell": cell, "share": share})
        rows.append({"service": s, "cells": row})
    totals = {
        "capacity": sum(c.capacity for c in load),
        "booked": sum(c.booked for c in load),
        "checked_in": sum(c.checked_in for c in load),
    }
    return {"rows": rows, "hours": list(HOURS), "totals": totals}


def _booking_page(
    request: Request,
    staff: SignedInStaff,
    day: date | None,
    code: str,
    *,
    status_code: int = 200,
    error: AminaError | None = None,
) -> HTMLResponse:
    container = container_of(request)
    shown_day = day or moscow_date(container.clock.now())
    visit = None
    if code and error is None:
        try:
            visit = centre.look_up_ticket(container.uow, container.clock, staff.actor, code)
        except AminaError as found_error:
            error, status_code = found_error, 404
    with container.uow() as uow:
        load = centre.day_load(uow, shown_day)
    return render_console(
        request,
        "console/booking.html",
        status_code=status_code,
        day=shown_day,
        code=code,
        visit=visit,
        visit_when=(
            visit.booking.starts_at.astimezone(MOSCOW).strftime("%Y-%m-%d %H:%M") if visit else ""
        ),
        service_name=lambda c: service(c).name if service(c) else c,  # type: ignore[union-attr]
        grouped=grouped_code,
        picture=_load_picture(load),
        error=error,
    )


@router.get("/console/booking", response_class=HTMLResponse)
def booking_page(
    request: Request,
    day: Annotated[date | None, Query()] = None,
    code: Annotated[str, Query(max_length=200)] = "",
    staff: SignedInStaff = Depends(staff_with(Permission.appointment_manage)),
) -> HTMLResponse:
    return _booking_page(request, staff, day, code)


@router.get("/console/booking/check-in")
def check_in_link(code: Annotated[str, Query(max_length=200)] = "") -> RedirectResponse:
    """Where a ticket's QR points: the check-in page with the code filled in."""
    return RedirectResponse(f"/console/booking?code={code}", status_code=303)


@router.post("/console/booking/visits/{person_id}/{booking_id}/{outcome}")
def visit_outcome(
    request: Request,
    person_id: str,
    booking_id: str,
    outcome: str,
    code: Annotated[str, Form(max_length=20)] = "",
    staff: SignedInStaff = Depends(staff_with(Permission.appointment_manage)),
) -> Response:
    container = container_of(request)
    try:
        centre.record_visit_outcome(
            container.uow,
            container.clock,
            staff.actor,
            person_id,
            booking_id,
            _OUTCOMES.get(outcome, "no-show"),
        )
    except AminaError as error:
        return _booking_page(request, staff, None, code, status_code=409, error=error)
    return RedirectResponse(f"/console/booking?code={code}", status_code=303)


# --- supervisors: opening hours and closed days ----------------------------------------------


def _hours_page(
    request: Request, *, status_code: int = 200, error: AminaError | None = None
) -> HTMLResponse:
    container = container_of(request)
    today = moscow_date(container.clock.now())
    with container.uow() as uow:
        in_force = templates(uow)
        closed = closed_days(uow, today, date(today.year + 1, 12, 31))
    return render_console(
        request,
        "console/booking_hours.html",
        status_code=status_code,
        templates=in_force,
        services=SERVICES,
        closed=closed,
        error=error,
    )


@router.get("/console/booking/hours", response_class=HTMLResponse)
def hours_page(
    request: Request, _staff: SignedInStaff = Depends(staff_with(Permission.appointment_hours))
) -> HTMLResponse:
    return _hours_page(request)


@router.post("/console/booking/hours", response_class=HTMLResponse)
def hours_submit(
    request: Request,
    weekday: Annotated[int, Form(ge=0, le=6)],
    service_code: Annotated[ServiceCode, Form(alias="service")],
    opens: Annotated[time, Form()],
    closes: Annotated[time, Form()],
    counters: Annotated[int, Form(ge=0, le=200)],
    reason: Annotated[str, Form(max_length=500)] = "",
    staff: SignedInStaff = Depends(staff_with(Permission.appointment_hours)),
) -> Response:
    container = container_of(request)
    try:
        save_opening_hours(
            container.uow,
            container.clock,
            staff.actor,
            SlotTemplate(weekday, service_code, opens, closes, counters),
            reason,
        )
    except AminaError as error:
        return _hours_page(request, status_code=422, error=error)
    return RedirectResponse("/console/booking/hours", status_code=303)


@router.post("/console/booking/close-day", response_class=HTMLResponse)
def close_day_submit(
    request: Request,
    day: Annotated[date, Form()],
    reason: Annotated[str, Form(max_length=500)] = "",
    staff: SignedInStaff = Depends(staff_with(Permission.appointment_hours)),
) -> Response:
    container = container_of(request)
    try:
        centre.close_centre_day(container.uow, container.clock, staff.actor, day, reason)
    except AminaError as error:
        return _hours_page(request, status_code=422, error=error)
    return RedirectResponse("/console/booking/hours", status_code=303)
