"""The console page /console/policy: supervisors see every policy version (who added it and
why), the parameters in force today and per version, and schedule a new version with changed
parameters from today or a later day. The eligibility phases are shown, read-only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from amina.adapters.web.context import container_of, translator_for
from amina.adapters.web.pages.policy_words import (
    PARAMETER_DESCRIPTIONS,
    PARAMETER_LABELS,
    SYSTEM_NOTES,
)
from amina.adapters.web.staff_auth import render_console, staff_with, use_console_language
from amina.domain.calendar import moscow_date
from amina.domain.policy import ParameterRange
from amina.domain.policy_revision import ParameterKind, parameter_range
from amina.i18n import N_, Translator
from amina.services.errors import AminaError, ErrorKind
from amina.services.policy.versions import (
    PolicyVersionEntry,
    policy_history,
    submit_policy_version,
)
from amina.services.staff.accounts import SignedInStaff
from amina.services.staff.permissions import Permission

router = APIRouter(include_in_schema=False, dependencies=[Depends(use_console_language)])

PAGE = "/console/policy"
#: Form fields of the parameters are named ``parameter.<name>``.
FIELD_PREFIX = "parameter."

#: How the editor groups the parameters.
PARAMETER_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        N_("Notices and due process"),
        (
            "no_data_working_days",
            "notice_deadline_working_days",
            "reminder_after_working_days",
            "out_of_region_days",
            "proximity_check_enabled",
            "proximity_radius_m",
            "objection_days",
        ),
    ),
    (
        N_("Registrations and location reports"),
        (
            "registration_backdate_grace_days",
            "report_retention_days",
            "report_interval_minutes",
            "low_accuracy_m",
            "too_old_hours",
            "future_tolerance_minutes",
            "impossible_speed_mps",
            "border_margin_m",
            "far_from_address_m",
        ),
    ),
    (
        N_("Sign-in"),
        tuple(n for n in PARAMETER_LABELS if n.startswith(("otp_", "sign_in_", "access_"))),
    ),
    (
        N_("Technical"),
        ("idempotency_key_retention_days",),
    ),
)


@dataclass(frozen=True)
class VersionColumn:
    entry: PolicyVersionEntry
    state: str  # "past", "in_force", "scheduled"
    changed: frozenset[str]  # parameters that differ from the version before it


def _columns(history: list[PolicyVersionEntry], today: date) -> list[VersionColumn]:
    in_force = max(
        (e for e in history if e.effective_from <= today),
        key=lambda e: (e.effective_from, e.version),
        default=history[0] if history else None,
    )
    columns: list[VersionColumn] = []
    previous: Mapping[str, Any] | None = None
    for entry in history:
        if entry is in_force:
            state = "in_force"
        elif entry.effective_from > today:
            state = "scheduled"
        else:
            state = "past"
        changed = (
            frozenset()
            if previous is None
            else frozenset(n for n, v in entry.parameters.items() if previous.get(n) != v)
        )
        columns.append(VersionColumn(entry, state, changed))
        previous = entry.parameters
    return columns


def _page(
    request: Request,
    *,
    status_code: int = 200,
    error: AminaError | None = None,
    form: Mapping[str, str] | None = None,
) -> HTMLResponse:
    container = container_of(request)
    with container.uow() as uow:
        history = policy_history(uow)
    today = moscow_date(container.clock.now())
    columns = _columns(history, today)
    in_force = next(c.entry for c in columns if c.state == "in_force")
    # every parameter any version has, by group; one no group names goes under "Other"
    known = list(dict.fromkeys(n for c in columns for n in c.entry.parameters))
    grouped = {n for _, names in PARAMETER_GROUPS for n in names}
    groups = [*PARAMETER_GROUPS, (N_("Other"), tuple(n for n in known if n not in grouped))]

    def row(name: str) -> tuple[str, str | None, ParameterKind, ParameterRange]:
        value = next(c.entry.parameters[name] for c in columns if name in c.entry.parameters)
        allowed = parameter_range(name, value)
        return name, PARAMETER_LABELS.get(name), allowed.kind, allowed

    parameters = [
        (title, [row(n) for n in names if n in known])
        for title, names in groups
        if any(n in known for n in names)
    ]
    t = translator_for(request)
    field_errors = {
        e.field: t.gettext(e.message, **{**e.params, "name": _label(t, e.field)})
        for e in (error.errors if error else [])
    }
    return render_console(
        request,
        "console/policy.html",
        status_code=status_code,
        today=today,
        in_force=in_force,
        columns=columns,
        parameters=parameters,
        switch=ParameterKind.switch,
        error=error,
        field_errors=field_errors,
        form=form or {},
        scheduled=request.query_params.get("scheduled") == "1",
        descriptions=PARAMETER_DESCRIPTIONS,
        system_notes=SYSTEM_NOTES,
    )


def _label(t: Translator, name: str) -> str:
    label = PARAMETER_LABELS.get(name)
    return f"«{t.gettext(label)}»" if label else name


@router.get(PAGE, response_class=HTMLResponse)
def policy_page(
    request: Request, _staff: SignedInStaff = Depends(staff_with(Permission.policy_edit))
) -> HTMLResponse:
    return _page(request)


@router.post(PAGE, response_class=HTMLResponse)
async def policy_version_submit(
    request: Request, staff: SignedInStaff = Depends(staff_with(Permission.policy_edit))
) -> Response:
    submitted = await request.form()
    form = {key: value for key, value in submitted.items() if isinstance(value, str)}
    # An empty field keeps the value in force on that date.
    changes = {
        key.removeprefix(FIELD_PREFIX): value.strip()
        for key, value in form.items()
        if key.startswith(FIELD_PREFIX) and value.strip()
    }
    container = container_of(request)

    def schedule() -> None:
        try:
            effective_from: date | None = date.fromisoformat(form.get("effective_from", "").strip())
        except ValueError:
            effective_from = None  # refused with every other problem of the form
        submit_policy_version(
            container.uow,
            container.clock,
            staff.actor,
            effective_from,
            changes,
            form.get("reason", ""),
        )

    try:
        await run_in_threadpool(schedule)
    except AminaError as error:
        if error.kind is not ErrorKind.invalid and error.kind is not ErrorKind.conflict:
            raise
        status = 409 if error.kind is ErrorKind.conflict else 422
        return await run_in_threadpool(_page, request, status_code=status, error=error, form=form)
    return RedirectResponse(PAGE + "?scheduled=1", status_code=303)
