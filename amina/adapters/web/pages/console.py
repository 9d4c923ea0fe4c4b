"""The staff console: sign-in with a second factor, the role-aware home page, sign-out, the
audit log for auditors and staff accounts for supervisors. Russian and English.

Other console pages reuse ``current_staff`` / ``staff_with`` (re-exported here from
``amina.adapters.web.staff_auth``) and extend ``console/layout.html``; a feature that gets a
page adds its address to :data:`HOME_LINKS` so the home page links to it.
"""

from __future__ import annotations

from typing import Annotated, Any

import segno
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from amina.adapters.web.context import container_of
from amina.adapters.web.staff_auth import (
    SESSION_COOKIE,
    SIGN_IN_PATH,
    access_rules,
    check_sign_in_form_token,
    clear_session_cookie,
    current_staff,
    forget_sign_in_nonce,
    remember_sign_in_nonce,
    render_console,
    set_session_cookie,
    sign_in_form_token,
    staff_with,
    use_console_language,
)
from amina.domain.roles import CONSOLE_MANAGED_ROLES, ROLE_PERMISSIONS, Permission, Role
from amina.i18n import N_
from amina.services.errors import AminaError, ErrorKind
from amina.services.staff.accounts import (
    SecondFactorEnrolment,
    SignedInStaff,
    create_staff_account,
    disable_staff_account,
    list_staff,
    reset_staff_second_factor,
    sign_in_to_console,
    sign_out_of_console,
    staff_session,
)

__all__ = ["current_staff", "router", "staff_api", "staff_with"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(use_console_language)])
staff_api = APIRouter(prefix="/api/v1/staff", tags=["staff"])

#: What the home page says about each permission, and where its page is (None: not built yet).
HOME_LINKS: dict[Permission, tuple[str, str, str | None]] = {
    Permission.person_search: (
        N_("Find a person"),
        N_("Search by card, passport, name or phone, after stating the purpose."),
        "/console/persons",
    ),
    Permission.person_enrolment_help: (
        N_("Help with enrolment"),
        N_("Code not arriving, card lost, phone changed: find the person, then help."),
        "/console/persons",
    ),
    Permission.registration_view: (
        N_("Registrations"),
        N_("A person's registrations and their history: from a case file or the person search."),
        "/console/cases",
    ),
    Permission.patent_view: (
        N_("Work patents"),
        N_("The paid-until date of a person's patent, in the case file."),
        None,
    ),
    Permission.location_view: (
        N_("Location data"),
        N_("Daily summaries and reports of a person in a case."),
        "/console/cases",
    ),
    Permission.appointment_manage: (
        N_("MMC appointments"),
        N_("Check visitors in, move or cancel visits."),
        "/console/booking",
    ),
    Permission.appointment_hours: (
        N_("MMC opening hours"),
        N_("Opening hours and counters of the centre; close a day."),
        "/console/booking/hours",
    ),
    Permission.case_view: (N_("Case queue"), N_("Open cases and their files."), "/console/cases"),
    Permission.case_decide: (
        N_("Decide cases"),
        N_("Dismiss, extend the deadline or deregister, with a written reason."),
        "/console/cases",
    ),
    Permission.objection_decide: (
        N_("Objections"),
        N_("Decide objections against decisions."),
        "/console/objections",
    ),
    Permission.referral_confirm: (
        N_("Referrals"),
        N_("Confirm referrals to the Registry of Controlled Persons."),
        "/console/referrals",
    ),
    Permission.policy_edit: (
        N_("Policy"),
        N_("Phases, deadlines and thresholds, by effective date."),
        "/console/policy",
    ),
    Permission.calendar_edit: (
        N_("Working-day calendar"),
        N_("Days off and working days."),
        "/console/calendar",
    ),
    Permission.staff_manage: (
        N_("Staff accounts"),
        N_("Create and disable accounts, reset the second factor."),
        "/console/staff",
    ),
    Permission.audit_read: (
        N_("Audit log"),
        N_("Every access to people's data, and the integrity check of the log."),
        "/console/audit",
    ),
}

#: The chain check's findings, as the console says them.


def _render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return render_console(request, name, status_code, **context)


def _safe_next(target: str | None) -> str:
    """Only console addresses on this site; anything else goes home."""
    if target and target.startswith("/console") and not target.startswith("//"):
        return target
    return "/console"


# --- sign-in and out -----------------------------------------------------------------------


def _staff_from_cookie(request: Request) -> SignedInStaff | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    container = container_of(request)
    with container.uow() as uow:
        return staff_session(uow, container.clock, token)


def _sign_in_page(
    request: Request,
    *,
    status_code: int = 200,
    username: str = "",
    next_url: str | None = None,
    error: AminaError | None = None,
) -> HTMLResponse:
    nonce, token = sign_in_form_token(request)
    response = _render(
        request,
        "console/sign_in.html",
        status_code=status_code,
        username=username,
        next_url=_safe_next(next_url),
        error=error,
        csrf_token=token,
    )
    remember_sign_in_nonce(response, nonce, container_of(request).settings)
    return response


@router.get("/console/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, next: str | None = None) -> Response:
    if _staff_from_cookie(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _sign_in_page(request, next_url=next)


@router.post("/console/sign-in", response_class=HTMLResponse)
def sign_in_submit(
    request: Request,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    code: Annotated[str, Form(max_length=12)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "/console",
) -> Response:
    check_sign_in_form_token(request, csrf_token)
    container = container_of(request)
    rules = access_rules(container.settings)
    attempt = sign_in_to_console(
        container.uow,
        container.clock,
        rules,
        username=username,
        password=password,
        code=code,
        source=request.client.host if request.client else "unknown",
    )
    if attempt.session is None:
        error = attempt.error()
        page = _sign_in_page(
            request,
            status_code=429 if error.kind is ErrorKind.rate_limited else 401,
            username=username,
            next_url=next,
            error=error,
        )
        if error.kind is ErrorKind.rate_limited:
            page.headers["Retry-After"] = str(error.params["seconds"])
        return page
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(response, attempt.session.token, container.settings)
    forget_sign_in_nonce(response, container.settings)
    return response


@router.post("/console/sign-out")
def sign_out_submit(
    request: Request, _staff: SignedInStaff = Depends(current_staff)
) -> RedirectResponse:
    container = container_of(request)
    sign_out_of_console(container.uow, container.clock, request.cookies[SESSION_COOKIE])
    response = RedirectResponse(SIGN_IN_PATH, status_code=303)
    clear_session_cookie(response, container.settings)
    return response


# --- home ----------------------------------------------------------------------------------


@router.get("/console", response_class=HTMLResponse)
def home(request: Request, staff: SignedInStaff = Depends(current_staff)) -> HTMLResponse:
    allowed = ROLE_PERMISSIONS[staff.role]
    links = [(permission, *HOME_LINKS[permission]) for permission in Permission]
    return _render(
        request,
        "console/home.html",
        # pages that exist first, then what later releases bring
        links=sorted(
            (link for link in links if link[0] in allowed), key=lambda link: link[3] is None
        ),
    )


# --- staff accounts (supervisors) ----------------------------------------------------------


def _staff_page(
    request: Request,
    staff: SignedInStaff,
    *,
    status_code: int = 200,
    error: AminaError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    container = container_of(request)
    with container.uow() as uow:
        accounts = list_staff(uow, by=staff.actor)
    return _render(
        request,
        "console/staff.html",
        status_code=status_code,
        accounts=accounts,
        # a supervisor creates and manages operator and inspector accounts only
        roles=[role for role in Role if role in CONSOLE_MANAGED_ROLES],
        error=error,
        form=form or {},
    )


def _qr_svg(uri: str) -> str:
    return str(segno.make(uri, error="m").svg_inline(scale=4, dark="#1b1b1b"))


def _enrolment_page(
    request: Request,
    *,
    username: str,
    enrolment: SecondFactorEnrolment,
    password: str | None,
    created: bool,
) -> HTMLResponse:
    return _render(
        request,
        "console/staff_enrolment.html",
        username=username,
        enrolment=enrolment,
        password=password,
        created=created,
        qr_svg=_qr_svg(enrolment.otpauth_uri),
    )


@router.get("/console/staff", response_class=HTMLResponse)
def staff_accounts(
    request: Request, staff: SignedInStaff = Depends(staff_with(Permission.staff_manage))
) -> HTMLResponse:
    return _staff_page(request, staff)


@router.post("/console/staff", response_class=HTMLResponse)
def staff_create(
    request: Request,
    username: Annotated[str, Form(max_length=64)] = "",
    display_name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    staff: SignedInStaff = Depends(staff_with(Permission.staff_manage)),
) -> HTMLResponse:
    container = container_of(request)
    form = {"username": username, "display_name": display_name, "role": role}
    try:
        chosen = Role(role)
    except ValueError:
        chosen = None
    try:
        if chosen is None:
            raise AminaError(
                "role_invalid",
                ErrorKind.invalid,
                N_("Choose a role"),
                N_("Every staff account has one of the four roles."),
            )
        created = create_staff_account(
            container.uow,
            container.clock,
            username=username,
            role=chosen,
            display_name=display_name,
            by=staff.actor,
        )
    except AminaError as error:
        status = 409 if error.code == "staff_username_taken" else 422
        if error.kind is ErrorKind.forbidden:
            status = 403
        return _staff_page(request, staff, status_code=status, error=error, form=form)
    return _enrolment_page(
        request,
        username=created.account.username,
        enrolment=created.second_factor,
        password=created.password,
        created=True,
    )


@router.post("/console/staff/{username}/disable", response_class=HTMLResponse)
def staff_disable(
    request: Request,
    username: str,
    staff: SignedInStaff = Depends(staff_with(Permission.staff_manage)),
) -> Response:
    container = container_of(request)
    try:
        disable_staff_account(container.uow, container.clock, username, by=staff.actor)
    except AminaError as error:
        status = 403 if error.kind is ErrorKind.forbidden else 409
        return _staff_page(request, staff, status_code=status, error=error)
    return RedirectResponse("/console/staff", status_code=303)


@router.post("/console/staff/{username}/reset-mfa", response_class=HTMLResponse)
def staff_reset_second_factor(
    request: Request,
    username: str,
    staff: SignedInStaff = Depends(staff_with(Permission.staff_manage)),
) -> Response:
    container = container_of(request)
    try:
        enrolment = reset_staff_second_factor(
            container.uow, container.clock, username, by=staff.actor
        )
    except AminaError as error:
        status = 403 if error.kind is ErrorKind.forbidden else 404
        return _staff_page(request, staff, status_code=status, error=error)
    return _enrolment_page(
        request, username=username, enrolment=enrolment, password=None, created=False
    )


# --- staff API: who am I, sign out ---------------------------------------------------------


class StaffMeOut(BaseModel):
    staff_id: str
    username: str
    display_name: str
    role: Role
    permissions: list[str]
    csrf_token: str
    expires_at: str


@staff_api.get("/me", response_model=StaffMeOut)
def staff_me(staff: SignedInStaff = Depends(current_staff)) -> StaffMeOut:
    """The signed-in staff member (cookie session), their permissions and the CSRF token to
    send as ``X-CSRF-Token`` with unsafe requests."""
    return StaffMeOut(
        staff_id=staff.staff_id,
        username=staff.username,
        display_name=staff.display_name,
        role=staff.role,
        permissions=sorted(p.value for p in staff.permissions),
        csrf_token=staff.csrf_token,
        expires_at=staff.expires_at.isoformat().replace("+00:00", "Z"),
    )


@staff_api.post("/sign-out", status_code=204)
async def staff_api_sign_out(
    request: Request, _staff: SignedInStaff = Depends(current_staff)
) -> Response:
    """End the current staff session (needs ``X-CSRF-Token``)."""
    container = container_of(request)
    await run_in_threadpool(
        sign_out_of_console, container.uow, container.clock, request.cookies[SESSION_COOKIE]
    )
    response = Response(status_code=204)
    clear_session_cookie(response, container.settings)
    return response
