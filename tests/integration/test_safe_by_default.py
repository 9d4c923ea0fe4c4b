"""Safe by default (issue 10 point 11; docs/operations.md "Production unless asked" and
"Security headers"): without settings the service is production — no /dev pages, no local SMS
log, Secure cookies; development mode only when asked. Every answer carries the
Content-Security-Policy (frame-ancestors 'none') and a Referrer-Policy; the person's and the
staff's data are never stored by a browser (Cache-Control: no-store)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
from case_support import person_with_a_case
from fastapi.testclient import TestClient
from registration_support import person, registered
from rich.console import Console
from sign_in_support import WORKER, ask_for_code, register
from sqlalchemy import func, select
from staff_login import StaffLogin

from amina.adapters.db.identity.tables import DevSmsRow
from amina.adapters.web.app import create_app
from amina.bootstrap import Container, build
from amina.demo.loader import load_demo
from amina.services.clock import FixedClock
from amina.services.delivery.outbox import deliver_due
from amina.services.policy.versions import ensure_initial_policy
from amina.settings import load_settings

NO_SETTINGS = ("AMINA_", "DATABASE_URL")


@pytest.fixture
def served(
    database_url: str, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., tuple[Container, TestClient]]]:
    """``served(**environment)``: the app built as `amina serve` builds it, from the
    environment alone (none of the machine's AMINA_ variables), on the test's database."""
    built: list[tuple[Container, TestClient]] = []

    def serve(**environment: str) -> tuple[Container, TestClient]:
        import os

        for name in list(os.environ):
            if name.startswith(NO_SETTINGS):
                monkeypatch.delenv(name)
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        container = build(load_settings(database_url=database_url, scheduler=False), clock=clock)
        with container.uow() as uow:
            ensure_initial_policy(uow, clock)
            uow.commit()
        client = TestClient(create_app(container), base_url="https://testserver")
        client.__enter__()
        built.append((container, client))
        return container, client

    yield serve
    for container, client in built:
        client.__exit__(None, None, None)
        container.engine.dispose()


def set_cookies(answer: object) -> list[str]:
    return answer.headers.get_list("set-cookie")  # type: ignore[attr-defined, no-any-return]


def test_without_settings_there_are_no_dev_pages_no_local_sms_and_every_cookie_is_secure(
    served: Callable[..., tuple[Container, TestClient]],
) -> None:
    container, client = served()

    assert client.get("/dev/sms").status_code == 404
    assert client.get("/dev/sms.json").status_code == 404
    assert client.get("/sandbox/checkout/anything").status_code == 404
    # a sign-in code is not written where /dev/sms would list it
    register(container, WORKER)
    assert ask_for_code(client, WORKER).status_code == 202
    deliver_due(container.uow, container.clock, container.delivery)
    with container.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(DevSmsRow)).scalar_one() == 0
    # every cookie the service sets is Secure: the language chosen, the console's sign-in form
    cookies = set_cookies(client.get("/?lang=uz")) + set_cookies(client.get("/console/sign-in"))
    assert {cookie.split("=", 1)[0] for cookie in cookies} == {
        "amina_lang",
        "amina_staff_sign_in",
    }
    for cookie in cookies:
        assert "; secure" in cookie.lower(), cookie


def test_development_mode_when_asked_has_the_local_sms_gateway_and_its_page(
    served: Callable[..., tuple[Container, TestClient]],
) -> None:
    container, client = served(AMINA_ENV="development")

    register(container, WORKER)
    assert ask_for_code(client, WORKER).status_code == 202
    deliver_due(container.uow, container.clock, container.delivery)

    assert client.get("/dev/sms").status_code == 200
    assert [m["to"] for m in client.get("/dev/sms.json").json()] == [WORKER["phone"]]
    # still Secure: browsers keep Secure cookies on http://localhost and http://127.0.0.1
    assert "; secure" in set_cookies(client.get("/?lang=uz"))[0].lower()


# --- headers on every page -----------------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
STYLE_ATTRIBUTE = re.compile(r"<[a-zA-Z][^>]*\sstyle\s*=")
STYLE_ELEMENT = re.compile(r"<style\b")
EVENT_HANDLER = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=")
LINK = re.compile(r"""(?:href|action)="(/[^"#]*)\"""")

#: Where a visitor starts; the walk follows every same-site link from there.
ENTRY_POINTS = (
    "/",
    "/app",
    "/app/booking",
    "/verify",
    "/verify?code=MPJW9QYVB6WDC",
    "/patent/check",
    "/console",
    "/console/sign-in",
    "/dev/sms",
    "/docs",
    "/no/such/page",
)


def check_headers(path: str, answer: object) -> None:
    headers = answer.headers  # type: ignore[attr-defined]
    policy = headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in policy, (path, policy)
    assert "unsafe-inline" not in policy, (path, policy)
    assert "unsafe-eval" not in policy, (path, policy)
    assert headers.get("referrer-policy") in {"same-origin", "no-referrer"}, path
    if headers.get("content-type", "").startswith("text/html"):
        assert "script-src 'self'" in policy, (path, policy)
        assert "default-src 'self'" in policy, (path, policy)
        html = answer.text  # type: ignore[attr-defined]
        # what the policy would block in Chromium: the page must not rely on it
        for pattern in (INLINE_SCRIPT, STYLE_ATTRIBUTE, STYLE_ELEMENT, EVENT_HANDLER):
            found = pattern.search(html)
            assert found is None, (path, found.group(0) if found else None)


def walk(client: TestClient, starts: list[str], seen: set[str], limit: int = 400) -> int:
    """Visit ``starts`` and every same-site page linked from them (GET); check each answer.
    Returns how many HTML pages were seen."""
    pages = 0
    queue = list(starts)
    while queue and len(seen) < limit:
        path = queue.pop(0)
        key = re.sub(r"([?&])lang=[^&]*", r"\1", path).rstrip("?&")
        if key in seen or path.startswith("/static/") or path.endswith("/sign-out"):
            continue
        seen.add(key)
        answer = client.get(path, follow_redirects=False)
        check_headers(path, answer)
        if answer.is_redirect:
            location = urlsplit(answer.headers["location"])
            if not location.netloc or location.netloc == "testserver":
                queue.append(location.path + (f"?{location.query}" if location.query else ""))
            continue
        if answer.headers.get("content-type", "").startswith("text/html"):
            pages += 1
            queue.extend(link.replace("&amp;", "&") for link in LINK.findall(answer.text))
    return pages


def api_paths(client: TestClient) -> list[str]:
    """Every GET operation of the OpenAPI document, with made-up path parameters."""
    document = client.get("/openapi.json").json()
    return [
        re.sub(r"\{[^}]+\}", "00000000-0000-0000-0000-000000000000", path)
        for path, operations in document["paths"].items()
        if "get" in operations
    ]


def test_every_page_and_answer_sends_the_content_security_policy_and_referrer_policy(
    client: TestClient,
    container: Container,
    clock: FixedClock,
    sign_in_staff: Callable[[str], StaffLogin],
) -> None:
    person_with_a_case(client, container, clock)  # the console's case pages have one to show
    load_demo(container, Console(file=io.StringIO(), width=200))
    seen: set[str] = set()
    pages = walk(client, [*ENTRY_POINTS, *api_paths(client)], seen)
    for role in ("operator", "inspector", "supervisor", "auditor"):
        sign_in_staff(role)
        seen_by_role: set[str] = set()
        pages += walk(client, ["/console"], seen_by_role)
        seen |= seen_by_role

    # the walk reached the public pages, the app, the console (behind sign-in) and /dev/sms
    assert pages >= 25, sorted(seen)
    for expected in ("/", "/app", "/console/cases", "/console/staff", "/dev/sms", "/docs"):
        assert expected in seen, sorted(seen)
    assert any(re.fullmatch(r"/console/cases/[^/]+", path) for path in seen), sorted(seen)


def test_the_api_documentation_page_runs_no_inline_script_and_cannot_be_framed(
    client: TestClient,
) -> None:
    answer = client.get("/docs")

    assert answer.status_code == 200
    assert INLINE_SCRIPT.search(answer.text) is None
    assert '<script src="/static/api_docs.js"></script>' in answer.text
    assert client.get("/static/api_docs.js").status_code == 200
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]


# --- nothing personal in a browser's cache -------------------------------------------------


def test_the_persons_data_and_the_console_are_never_stored_by_a_browser(
    client: TestClient, container: Container, sign_in_staff: Callable[[str], StaffLogin]
) -> None:
    me = person(client, container)
    registration = registered(client, me)
    personal = [
        "/api/v1/me",
        "/api/v1/me/registrations",
        "/api/v1/me/registrations/current",
        f"/api/v1/me/registrations/{registration['id']}/slip.pdf",
        "/api/v1/me/notices",
        "/api/v1/me/reports",
        "/api/v1/me/access-log",
        "/api/v1/me/export",
    ]
    for path in personal:
        answer = client.get(path, headers=me.bearer)
        assert answer.status_code == 200, (path, answer.text)
        assert answer.headers.get("cache-control") == "no-store", path

    sign_in_staff("operator")
    for path in ("/console", "/console/cases", "/api/v1/staff/me"):
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.text)
        assert answer.headers.get("cache-control") == "no-store", path


def test_an_https_public_address_tells_browsers_to_come_back_only_over_https(
    served: Callable[..., tuple[Container, TestClient]],
) -> None:
    """HSTS: once a browser has seen the service over HTTPS it never sends a person's code or
    cookie over plain HTTP to the same name again (a café's Wi-Fi cannot downgrade it)."""
    _, client = served(AMINA_PUBLIC_BASE_URL="https://amina.example.ru")
    for path in ("/", "/app", "/api/v1/me", "/static/app/app.js"):
        answer = client.get(path)
        assert answer.headers["strict-transport-security"] == "max-age=31536000", path

    # a service that is not reached over HTTPS cannot promise it (a browser would ignore it,
    # and a test server on http://127.0.0.1 must stay reachable)
    _, plain = served(AMINA_PUBLIC_BASE_URL="http://127.0.0.1:8000")
    assert "strict-transport-security" not in plain.get("/").headers
