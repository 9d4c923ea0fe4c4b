"""Staff authentication for the console and the staff API: session cookie, CSRF, roles.

Reuse these in any staff page or ``/api/v1/staff/...`` endpoint::

    from amina.adapters.web.staff_auth import current_staff, staff_with
    from amina.domain.roles import Permission, Role

    @router.get("/console/cases")
    def cases(request: Request, staff: SignedInStaff = Depends(staff_with(Permission.case_view))):
        ...  # staff.actor goes to services.audit.record_access; staff.csrf_token into forms

- Signed out: console pages redirect to ``/console/sign-in``; ``/api/`` paths answer 401.
- Unsafe methods (POST, PUT, PATCH, DELETE) need the session's CSRF token: the form field
  ``csrf_token`` or the ``X-CSRF-Token`` header. Without it: 403 ``csrf_invalid``.
- A permission the role lacks: 403 ``forbidden`` (a problem document under ``/api/``, a console
  page elsewhere). Use ``staff_with(Permission.X)``, or ``require(staff, Permission.X)`` inside.
- Console pages are in Russian or English: :func:`use_console_language`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from amina.adapters.web.context import LANGUAGE_COOKIE, container_of, translator_for
from amina.adapters.web.problems import STATUS, problem_response
from amina.domain.roles import Permission, Role
from amina.domain.staff_throttle import ThrottleRules
from amina.i18n import N_, negotiate, normalise_language
from amina.services.errors import AminaError, ErrorKind
from amina.services.staff.accounts import SignedInStaff, StaffAccessRules, staff_session
from amina.services.staff.permissions import PermissionDenied, require
from amina.settings import Settings

SESSION_COOKIE = "amina_staff_session"
#: Holds a random nonce while the sign-in form is open; the form carries its HMAC.
SIGN_IN_COOKIE = "amina_staff_sign_in"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CONSOLE_LANGUAGES = ("ru", "en")
SIGN_IN_PATH = "/console/sign-in"
#: Console pages show personal data and one-time secrets: never cached, never framed. (The
#: Content-Security-Policy, with frame-ancestors 'none', comes with every page: see
#: amina/adapters/web/security_headers.py.)
CONSOLE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


class SignInRequired(Exception):
    """No valid staff session: redirect to the sign-in page, or 401 for the API."""


class CsrfRejected(AminaError):
    def __init__(self) -> None:
        super().__init__(
            "csrf_invalid",
            ErrorKind.forbidden,
            N_("The form has expired"),
            N_("Reload the page and try again."),
        )


def access_rules(settings: Settings) -> StaffAccessRules:
    return StaffAccessRules(
        throttle=ThrottleRules(
            free_failures=settings.staff_throttle_free_attempts,
            account_free_failures=settings.staff_throttle_account_free_attempts,
            source_max_delay=timedelta(seconds=settings.staff_throttle_max_delay_seconds),
            account_max_delay=timedelta(seconds=settings.staff_throttle_account_max_delay_seconds),
        ),
        session_hours=settings.staff_session_hours,
    )


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


# --- language ------------------------------------------------------------------------------


def console_language(request: Request) -> str:
    """Russian or English: an explicit choice (``?lang=`` or the cookie) if it is one of them,
    else English when ``Accept-Language`` prefers it, else Russian."""
    explicit = normalise_language(request.query_params.get("lang")) or normalise_language(
        request.cookies.get(LANGUAGE_COOKIE)
    )
    if explicit in CONSOLE_LANGUAGES:
        return str(explicit)
    return "en" if negotiate(request.headers.get("accept-language")) == "en" else "ru"


def use_console_language(request: Request) -> str:
    """A dependency for console routers: pages render in the console language."""
    language = console_language(request)
    request.state.language = language
    return language


# --- pages -------------------------------------------------------------------------------


ROLE_TITLES: dict[Role, str] = {
    Role.operator: N_("Operator"),
    Role.inspector: N_("Inspector"),
    Role.supervisor: N_("Supervisor"),
    Role.auditor: N_("Auditor"),
}


def render_console(
    request: Request, name: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """Render a console template (extending ``console/layout.html``) in the console language,
    with the signed-in staff member (``staff``) and ``role_titles`` in its context."""
    use_console_language(request)
    context.setdefault("staff", getattr(request.state, "staff", None))
    pages = request.app.state.pages
    response: HTMLResponse = pages.render(
        request, name, status_code=status_code, role_titles=ROLE_TITLES, **context
    )
    response.headers.update(CONSOLE_HEADERS)
    return response


# --- cookies -------------------------------------------------------------------------------


def set_session_cookie(response: Response, token: str, settings: Settings) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.staff_session_hours * 3600,
        path="/",
        secure=settings.secure_cookies,
        httponly=True,
        samesite="strict",
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=settings.secure_cookies, httponly=True, samesite="strict"
    )


def _sign(settings: Settings, nonce: str) -> str:
    return hmac.new(settings.secret_key.encode(), nonce.encode(), hashlib.sha256).hexdigest()


def sign_in_form_token(request: Request) -> tuple[str, str]:
    """The CSRF token for the sign-in form, where there is no session yet: ``(nonce, token)``.

    The nonce goes into a cookie only this site can set (:func:`remember_sign_in_nonce`), the
    token (its HMAC under the secret key) into the form.
    """
    settings = container_of(request).settings
    nonce = request.cookies.get(SIGN_IN_COOKIE) or secrets.token_urlsafe(32)
    return nonce, _sign(settings, nonce)


def remember_sign_in_nonce(response: Response, nonce: str, settings: Settings) -> None:
    response.set_cookie(
        SIGN_IN_COOKIE,
        nonce,
        max_age=3600,
        path=SIGN_IN_PATH,
        secure=settings.secure_cookies,
        httponly=True,
        samesite="strict",
    )


def forget_sign_in_nonce(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        SIGN_IN_COOKIE,
        path=SIGN_IN_PATH,
        secure=settings.secure_cookies,
        httponly=True,
        samesite="strict",
    )


def check_sign_in_form_token(request: Request, submitted: str) -> None:
    nonce = request.cookies.get(SIGN_IN_COOKIE)
    settings = container_of(request).settings
    if not nonce or not submitted or not hmac.compare_digest(_sign(settings, nonce), submitted):
        raise CsrfRejected


# --- the dependencies ----------------------------------------------------------------------


def _signed_in(request: Request) -> SignedInStaff | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    container = container_of(request)
    with container.uow() as uow:
        return staff_session(uow, container.clock, token)


async def _submitted_csrf(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


async def current_staff(request: Request) -> SignedInStaff:
    """The signed-in staff member; checks the CSRF token on unsafe methods."""
    staff = await run_in_threadpool(_signed_in, request)
    if staff is None:
        raise SignInRequired
    request.state.staff = staff
    if request.method not in SAFE_METHODS:
        submitted = await _submitted_csrf(request)
        if not submitted or not hmac.compare_digest(submitted, staff.csrf_token):
            raise CsrfRejected
    return staff


def staff_with(permission: Permission) -> Callable[..., Awaitable[SignedInStaff]]:
    """A dependency: the signed-in staff member, if their role has ``permission``."""

    async def dependency(staff: SignedInStaff = Depends(current_staff)) -> SignedInStaff:
        require(staff, permission)
        return staff

    return dependency


# --- answers for refusals ------------------------------------------------------------------


def _sign_in_redirect(request: Request) -> RedirectResponse:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    location = SIGN_IN_PATH
    if request.method in SAFE_METHODS and target not in ("/console", "/console/"):
        location += "?next=" + quote(target, safe="")
    return RedirectResponse(location, status_code=303)


def install(app: FastAPI) -> None:
    """Register the answers for signed-out, forbidden and CSRF-refused requests."""

    @app.exception_handler(SignInRequired)
    async def _sign_in_required(request: Request, _exc: SignInRequired) -> Response:
        if is_api(request):
            return problem_response(
                translator_for(request),
                status=401,
                code="staff_sign_in_required",
                title=N_("Sign in first"),
                detail=N_("This needs a staff session. Sign in to the console."),
            )
        return _sign_in_redirect(request)

    async def _refused(request: Request, exc: AminaError) -> Response:
        if is_api(request):
            return problem_response(
                translator_for(request),
                status=STATUS[exc.kind],
                code=exc.code,
                title=exc.title,
                detail=exc.detail,
                params=exc.params,
            )
        return render_console(
            request, "console/refused.html", status_code=STATUS[exc.kind], error=exc
        )

    # Starlette types every handler as taking any Exception; it calls this one only with the
    # exception class it is registered for.
    app.add_exception_handler(PermissionDenied, _refused)  # type: ignore[arg-type]
    app.add_exception_handler(CsrfRejected, _refused)  # type: ignore[arg-type]
