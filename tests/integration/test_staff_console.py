"""The staff console: sign-in with password and TOTP, lock-out, sessions, CSRF, roles.

Run on SQLite and PostgreSQL (client fixture). Accounts are made through the staff service;
codes come from the test clock (``pyotp.TOTP(secret).at(clock.now())``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pyotp
import pytest
from fastapi.testclient import TestClient

from amina.bootstrap import Container
from amina.domain.roles import Role
from amina.services.audit.trail import Actor, record_access
from amina.services.clock import FixedClock
from amina.services.staff.accounts import create_staff, disable_staff

EN = {"Accept-Language": "en"}
PASSWORD = "a long enough password"


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    secret: str


@pytest.fixture
def make_account(container: Container) -> Callable[..., Account]:
    def make(username: str = "olga", role: Role = Role.operator) -> Account:
        with container.uow() as uow:
            new = create_staff(
                uow,
                container.clock,
                username=username,
                role=role,
                display_name="Olga Test",
                password=PASSWORD,
            )
            uow.commit()
        return Account(username, PASSWORD, new.second_factor.secret)

    return make


def form_token(client: TestClient) -> str:
    page = client.get("/console/sign-in", headers=EN)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def attempt(
    client: TestClient,
    username: str,
    password: str,
    code: str,
    *,
    next_url: str = "/console",
) -> httpx.Response:
    return client.post(
        "/console/sign-in",
        data={
            "username": username,
            "password": password,
            "code": code,
            "csrf_token": form_token(client),
            "next": next_url,
        },
        headers=EN,
        follow_redirects=False,
    )


def code_now(account: Account, clock: FixedClock) -> str:
    return pyotp.TOTP(account.secret).at(clock.now())


def wrong_code(account: Account, clock: FixedClock) -> str:
    right = int(code_now(account, clock))
    return f"{(right + 1) % 1_000_000:06d}"


def error_box(html: str) -> str:
    found = re.search(
        r'<div class="alert alert--error"[^>]*id="sign-in-error">(.*?)</div>', html, re.S
    )
    assert found is not None, html
    return found.group(1)


def is_signed_in(client: TestClient) -> bool:
    return client.get("/api/v1/staff/me").status_code == 200


# --- signing in ----------------------------------------------------------------------------


def test_staff_sign_in_with_password_and_totp_opens_the_console(
    client: TestClient, make_account: Callable[..., Account], clock: FixedClock
) -> None:
    account = make_account()
    answer = attempt(client, account.username, account.password, code_now(account, clock))
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console"
    home = client.get("/console", headers=EN)
    assert home.status_code == 200
    assert "Hello, Olga Test" in home.text
    assert client.get("/api/v1/staff/me").json()["role"] == "operator"


def test_session_cookie_is_secure_httponly_and_samesite_strict(
    client: TestClient, make_account: Callable[..., Account], clock: FixedClock
) -> None:
    account = make_account()
    answer = attempt(client, account.username, account.password, code_now(account, clock))
    cookie = next(
        value
        for name, value in answer.headers.multi_items()
        if name == "set-cookie" and value.startswith("amina_staff_session=")
    )
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert "secure" in flags
    assert "httponly" in flags
    assert "samesite=strict" in flags


def test_wrong_password_is_refused(
    client: TestClient, make_account: Callable[..., Account], clock: FixedClock
) -> None:
    account = make_account()
    answer = attempt(client, account.username, "not the password", code_now(account, clock))
    assert answer.status_code == 401
    assert "Sign-in failed" in answer.text
    assert not is_signed_in(client)


def test_wrong_totp_code_is_refused(
    client: TestClient, make_account: Callable[..., Account], clock: FixedClock
) -> None:
    account = make_account()
    answer = attempt(client, account.username, account.password, wrong_code(account, clock))
    assert answer.status_code == 401
    assert not is_signed_in(client)


def test_a_code_from_the_previous_30_seconds_still_works(
    client: TestClient, make_account: Callable[..., Account], clock: FixedClock
) -> None:
    account = make_account()
    code = code_now(account, clock)
    clock.advance(timedelta(seconds=30))
    answer = attempt(client, account.username, account.password, code)
    assert answer.status_code == 303


def test_a_totp_code_cannot_be_used_twice(
    client: TestClient, make_account: Callable[..., Account], clock: FixedClock
) -> None:
    account = make_account()
    code = code_now(account, clock)
    assert attempt(client, account.username, account.password, code).status_code == 303
    client.cookies.clear()
    replay = attempt(client, account.username, account.password, code)
    assert replay.status_code == 401
    assert not is_signed_in(client)
    clock.advance(timedelta(seconds=30))
    fresh = attempt(client, account.username, account.password, code_now(account, clock))
    assert fresh.status_code == 303


def test_unknown_username_gets_the_same_answer_as_a_wrong_password(
    client: TestClient, make_account: Callable[..., Account], clock: FixedClock
) -> None:
    account = make_account()
    unknown = attempt(client, "nobody.here", "whatever password", code_now(account, clock))
    wrong = attempt(client, account.username, "whatever password", code_now(account, clock))
    assert unknown.status_code == wrong.status_code == 401
    assert error_box(unknown.text) == error_box(wrong.text)


def test_repeated_failures_slow_the_next_attempt_down_and_never_lock_the_account(
    client: TestClient,
    container: Container,
    make_account: Callable[..., Account],
    clock: FixedClock,
) -> None:
    # Replaces the hard 15-minute lock-out (issue 10 point 7): failures make the next attempt
    # wait, with growing delays; the account itself is never locked.
    account = make_account()
    for _ in range(container.settings.staff_throttle_free_attempts):
        attempt(client, account.username, "not the password", code_now(account, clock))
    throttled = attempt(client, account.username, account.password, code_now(account, clock))
    assert throttled.status_code == 429
    assert not is_signed_in(client)
    assert "Too many failed attempts" in throttled.text
    # the wait is the same for a username that does not exist: no hint that it does
    unknown = attempt(client, "nobody.here", account.password, code_now(account, clock))
    assert unknown.status_code == 429
    assert error_box(throttled.text) == error_box(unknown.text)

    clock.advance(timedelta(seconds=30))
    after = attempt(client, account.username, account.password, code_now(account, clock))
    assert after.status_code == 303


def test_a_disabled_account_cannot_sign_in(
    client: TestClient,
    container: Container,
    make_account: Callable[..., Account],
    clock: FixedClock,
) -> None:
    account = make_account()
    with container.uow() as uow:
        disable_staff(uow, container.clock, account.username)
        uow.commit()
    answer = attempt(client, account.username, account.password, code_now(account, clock))
    assert answer.status_code == 401
    assert not is_signed_in(client)


def test_disabling_an_account_ends_its_open_sessions(
    client: TestClient,
    container: Container,
    make_account: Callable[..., Account],
    clock: FixedClock,
) -> None:
    account = make_account()
    attempt(client, account.username, account.password, code_now(account, clock))
    assert is_signed_in(client)
    with container.uow() as uow:
        disable_staff(uow, container.clock, account.username)
        uow.commit()
    assert not is_signed_in(client)


def test_sign_in_form_without_its_csrf_token_is_refused(
    client: TestClient, make_account: Callable[..., Account], clock: FixedClock
) -> None:
    account = make_account()
    client.get("/console/sign-in")
    answer = client.post(
        "/console/sign-in",
        data={
            "username": account.username,
            "password": account.password,
            "code": code_now(account, clock),
        },
        follow_redirects=False,
    )
    assert answer.status_code == 403
    assert not is_signed_in(client)


# --- sessions ------------------------------------------------------------------------------


def test_signed_out_visitors_are_sent_to_the_sign_in_page_and_back(
    client: TestClient, make_account: Callable[..., Account], clock: FixedClock
) -> None:
    account = make_account("anna", Role.auditor)
    answer = client.get("/console/audit", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/sign-in?next=%2Fconsole%2Faudit"
    signed_in = attempt(
        client,
        account.username,
        account.password,
        code_now(account, clock),
        next_url="/console/audit",
    )
    assert signed_in.headers["location"] == "/console/audit"


def test_the_staff_api_answers_401_without_a_session(client: TestClient) -> None:
    answer = client.get("/api/v1/staff/me")
    assert answer.status_code == 401
    assert answer.json()["code"] == "staff_sign_in_required"


def test_sign_out_ends_the_session_on_the_server(
    client: TestClient, make_account: Callable[..., Account], clock: FixedClock
) -> None:
    account = make_account()
    attempt(client, account.username, account.password, code_now(account, clock))
    token = client.cookies["amina_staff_session"]
    csrf = client.get("/api/v1/staff/me").json()["csrf_token"]
    out = client.post("/console/sign-out", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303
    assert out.headers["location"] == "/console/sign-in"
    # the old cookie, sent again, no longer opens anything
    client.cookies.set("amina_staff_session", token)
    assert client.get("/console", follow_redirects=False).status_code == 303
    assert not is_signed_in(client)


def test_a_session_expires_after_the_configured_hours(
    client: TestClient,
    container: Container,
    make_account: Callable[..., Account],
    clock: FixedClock,
) -> None:
    account = make_account()
    attempt(client, account.username, account.password, code_now(account, clock))
    clock.advance(timedelta(hours=container.settings.staff_session_hours, seconds=1))
    assert not is_signed_in(client)


def test_sign_out_without_the_csrf_token_is_refused_and_the_session_stays(
    client: TestClient, make_account: Callable[..., Account], clock: FixedClock
) -> None:
    account = make_account()
    attempt(client, account.username, account.password, code_now(account, clock))
    answer = client.post("/console/sign-out", data={}, follow_redirects=False)
    assert answer.status_code == 403
    wrong = client.post("/console/sign-out", data={"csrf_token": "forged"}, follow_redirects=False)
    assert wrong.status_code == 403
    assert is_signed_in(client)


def test_staff_api_unsafe_requests_need_the_csrf_header(
    client: TestClient, make_account: Callable[..., Account], clock: FixedClock
) -> None:
    account = make_account()
    attempt(client, account.username, account.password, code_now(account, clock))
    refused = client.post("/api/v1/staff/sign-out")
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_invalid"
    assert is_signed_in(client)
    csrf = client.get("/api/v1/staff/me").json()["csrf_token"]
    assert client.post("/api/v1/staff/sign-out", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert not is_signed_in(client)


# --- language ------------------------------------------------------------------------------


def test_the_console_speaks_russian_by_default_and_english_on_request(
    client: TestClient,
) -> None:
    russian = client.get("/console/sign-in", headers={"Accept-Language": "uz,ru;q=0.5"})
    assert '<html lang="ru">' in russian.text
    assert "Вход в консоль сотрудников" in russian.text
    english = client.get("/console/sign-in", headers=EN)
    assert '<html lang="en">' in english.text
    assert "Sign in to the staff console" in english.text
    switched = client.get("/console/sign-in?lang=en", headers={"Accept-Language": "ru"})
    assert "Sign in to the staff console" in switched.text
    # the choice is remembered
    assert "Sign in to the staff console" in client.get("/console/sign-in").text


# --- roles ---------------------------------------------------------------------------------

ROUTES = [
    # method, path, the only role allowed
    ("GET", "/console/audit", Role.auditor),
    ("GET", "/console/staff", Role.supervisor),
    ("POST", "/console/staff", Role.supervisor),
    ("POST", "/console/staff/someone/disable", Role.supervisor),
    ("POST", "/console/staff/someone/reset-mfa", Role.supervisor),
]
REFUSALS = [
    (method, path, role) for method, path, allowed in ROUTES for role in Role if role != allowed
]


@pytest.mark.parametrize(
    ("method", "path", "role"), REFUSALS, ids=[f"{r.value}-{m}-{p}" for m, p, r in REFUSALS]
)
def test_each_role_is_refused_the_console_pages_it_has_no_permission_for(
    client: TestClient,
    sign_in_staff: Callable[[str], Any],
    method: str,
    path: str,
    role: Role,
) -> None:
    login = sign_in_staff(role.value)
    answer = client.request(
        method,
        path,
        data={"csrf_token": login.csrf_token} if method == "POST" else None,
        headers=EN,
        follow_redirects=False,
    )
    assert answer.status_code == 403
    assert "Your role does not allow this action." in answer.text


def test_the_home_page_shows_what_the_role_can_do(
    client: TestClient, sign_in_staff: Callable[[str], Any]
) -> None:
    sign_in_staff("operator")
    operator_home = client.get("/console", headers=EN).text
    assert "Find a person" in operator_home
    assert "Audit log" not in operator_home
    assert "Staff accounts" not in operator_home
    sign_in_staff("auditor")
    auditor_home = client.get("/console", headers=EN).text
    assert 'href="/console/audit"' in auditor_home
    assert "Find a person" not in auditor_home


# --- the auditor's page --------------------------------------------------------------------


def test_the_auditor_sees_entries_newest_first_and_the_chain_intact(
    client: TestClient,
    container: Container,
    sign_in_staff: Callable[[str], Any],
) -> None:
    operator = Actor(staff_id="11111111-1111-1111-1111-111111111111", role="operator")
    with container.uow() as uow:
        for n in range(3):
            record_access(
                uow,
                container.clock,
                operator,
                action="person.search",
                purpose=f"Enrolment help, visit number {n}",
                person_id=f"person-{n}",
            )
        uow.commit()
    sign_in_staff("auditor")
    page = client.get("/console/audit", headers=EN)
    assert page.status_code == 200
    assert 'data-status="intact"' in page.text
    assert "The chain is intact." in page.text
    positions = [page.text.index(f"visit number {n}") for n in range(3)]
    assert positions == sorted(positions, reverse=True)


def test_the_audit_log_is_paged(
    client: TestClient,
    container: Container,
    sign_in_staff: Callable[[str], Any],
) -> None:
    operator = Actor(staff_id="11111111-1111-1111-1111-111111111111", role="operator")
    with container.uow() as uow:
        for n in range(55):
            record_access(
                uow,
                container.clock,
                operator,
                action="person.search",
                purpose=f"Purpose entry {n:03d}",
                person_id=f"person-{n}",
            )
        uow.commit()
    sign_in_staff("auditor")
    first = client.get("/console/audit", headers=EN).text
    assert "Purpose entry 054" in first
    assert "Purpose entry 000" not in first
    older = re.search(r'href="(/console/audit\?before=\d+)"', first)
    assert older is not None
    second = client.get(older.group(1), headers=EN).text
    assert "Purpose entry 000" in second
    assert "Purpose entry 054" not in second


# --- supervisors manage staff --------------------------------------------------------------


def test_a_supervisor_creates_an_account_that_can_then_sign_in(
    client: TestClient,
    container: Container,
    sign_in_staff: Callable[[str], Any],
    clock: FixedClock,
) -> None:
    supervisor = sign_in_staff("supervisor")
    created = client.post(
        "/console/staff",
        data={
            "username": "new.inspector",
            "display_name": "Nina Newcomer",
            "role": "inspector",
            "csrf_token": supervisor.csrf_token,
        },
        headers=EN,
    )
    assert created.status_code == 200
    assert created.headers["cache-control"] == "no-store"  # the secrets must not be cached
    password = re.search(r'id="new-password">([^<]+)<', created.text)
    secret = re.search(r'id="totp-secret">([^<]+)<', created.text)
    assert password is not None
    assert secret is not None
    assert "otpauth://totp/Amina:new.inspector" in created.text
    client.cookies.clear()
    account = Account("new.inspector", password.group(1), secret.group(1))
    answer = attempt(client, account.username, account.password, code_now(account, clock))
    assert answer.status_code == 303
    assert client.get("/api/v1/staff/me").json()["role"] == "inspector"
    # the creation is in the audit log under the supervisor's id
    from amina.services.audit.review import audit_page

    with container.uow() as uow:
        entries = audit_page(uow, Actor(staff_id=None, role="auditor")).entries
    entry = next(e for e in entries if e.action == "staff.create" and e.role == "supervisor")
    assert entry.staff_id == supervisor.staff_id
    assert entry.person_id is None


def test_a_supervisor_disables_an_account_from_the_console(
    client: TestClient,
    make_account: Callable[..., Account],
    sign_in_staff: Callable[[str], Any],
    clock: FixedClock,
) -> None:
    account = make_account("leaving.operator")
    supervisor = sign_in_staff("supervisor")
    answer = client.post(
        f"/console/staff/{account.username}/disable",
        data={"csrf_token": supervisor.csrf_token},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    client.cookies.clear()
    refused = attempt(client, account.username, account.password, code_now(account, clock))
    assert refused.status_code == 401


def test_a_reset_second_factor_replaces_the_old_secret(
    client: TestClient,
    make_account: Callable[..., Account],
    sign_in_staff: Callable[[str], Any],
    clock: FixedClock,
) -> None:
    account = make_account("lost.phone")
    supervisor = sign_in_staff("supervisor")
    reset = client.post(
        f"/console/staff/{account.username}/reset-mfa",
        data={"csrf_token": supervisor.csrf_token},
        headers=EN,
    )
    new_secret = re.search(r'id="totp-secret">([^<]+)<', reset.text)
    assert new_secret is not None
    client.cookies.clear()
    old = attempt(client, account.username, account.password, code_now(account, clock))
    assert old.status_code == 401
    clock.advance(timedelta(seconds=30))
    renewed = Account(account.username, account.password, new_secret.group(1))
    new = attempt(client, account.username, account.password, code_now(renewed, clock))
    assert new.status_code == 303
