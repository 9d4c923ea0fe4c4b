"""Accessibility (issue 13, "Done when"): axe-core finds no WCAG 2.1 A/AA violation on any page
of the service, in a real Chromium at a phone's size in Russian, Uzbek and Georgian; the staff
console in its two languages (Russian, English) at a phone's size and at a desk.

The pages are listed by the router, not by hand alone: ``ROUTES`` classifies every GET route
outside the API, and a test fails when the app has a route that the list does not name — a new
page cannot slip past axe. A route is either visited by a test here, checked by the browser
story that is the only way to reach its state (named in ``CHECKED_IN_STORIES``), or not a page
(``NOT_PAGES``, each with its reason). How to read and fix a failure: docs/accessibility.md.
"""

from __future__ import annotations

import csv
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from axe_support import check_accessibility
from harness import DESK, PHONE, AminaServer, TotpCodes
from playwright.sync_api import Browser, BrowserContext, Page, expect

from amina.adapters.clock import SystemClock
from amina.demo.cards import DEMO_REGISTER
from amina.demo.staff import DEMO_STAFF, DemoStaff
from amina.domain.calendar import moscow_date
from amina.domain.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

LANGUAGES = ("ru", "uz", "ka")
CONSOLE_LANGUAGES = ("ru", "en")  # the console speaks these two (docs/console.md)
#: The README's demo slip code (amina/demo/registrations.py): a valid registration.
SLIP_CODE = "6NJE8NYXVQVQP"
UNKNOWN_CASE = "00000000-0000-4000-8000-000000000000"
PERSON_ID = "{person_id}"

#: The public pages, visited in every language at a phone's size.
PUBLIC = (
    "/",
    "/help",
    "/verify",
    f"/verify?code={SLIP_CODE}",
    "/verify?code=XXXXXXXXXXXXX",  # an unknown code: the page that says so (404)
    "/patent/check",
    "/console/sign-in",
    "/dev/sms",
)

#: The person's app screens (``#screen-NAME`` in app/*.html) reached without special data:
#: signed out, then signed in as a person with a registration.
APP_SIGNED_OUT = ("language", "card", "passport")
APP_SIGNED_IN = (
    "home",
    "child",
    "access-log",
    "registration",
    "register",
    "inbox",
    "my-data",
    "patent-add",
    "booking",
    "booking-new",
    "reminder",
)
#: App screens whose state exists only inside a story (data made there): axe runs in that story.
APP_SCREENS_CHECKED_IN_STORIES = {
    "code": "test_person_app.py (after wrong codes, and locked)",
    "notice": "test_app_notices.py (a notice to answer)",
    "decision": "test_app_notices.py (a decision with its reason)",
    "patent": "test_app_patent.py (a patent with a payment)",
    "booking-ticket": "test_enrolment_help_story.py (a card replacement's ticket, ru/uz/ka)",
}

#: Console pages by the roles that may open them (docs/roles.md); error pages included.
CONSOLE: dict[Role, tuple[str, ...]] = {
    Role.operator: (
        "/console",
        "/console/persons",
        f"/console/persons/{PERSON_ID}/registrations",
        "/console/cases",
        f"/console/cases/{UNKNOWN_CASE}",  # a case that does not exist: the refusal page
        "/console/booking",
    ),
    Role.inspector: ("/console", "/console/cases", f"/console/persons/{PERSON_ID}/registrations"),
    Role.supervisor: (
        "/console",
        "/console/cases",
        "/console/objections",
        "/console/referrals",
        "/console/policy",
        "/console/calendar",
        "/console/staff",
        "/console/booking/hours",
        "/console/patent-tariffs",
    ),
    Role.auditor: ("/console", "/console/audit", "/console/cases"),  # cases: refused (403)
}

#: Routes whose states exist only inside a story (data made there): axe runs in that story.
CHECKED_IN_STORIES = {
    "/console/cases/{case_id}": "test_due_process_story.py (purpose form, case file, decision "
    "confirmation) — here too, an unknown case's refusal page",
    "/sandbox/checkout/{ref}": "test_app_patent.py (a pending payment's checkout page)",
}

#: Pages that answer a form (POST) and exist only after a staff action: axe runs in that story.
ANSWERS_CHECKED_IN_STORIES = {
    "POST /console/persons": "test_console_persons_story.py (the search with a result)",
    "POST /console/persons/{person_id}/registrations": "test_console_persons_story.py",
    "POST /console/persons/{person_id}/resend-code": "test_enrolment_help_story.py (the help "
    "with enrolment page after a new code)",
    "POST /console/persons/{person_id}/mark-card-lost": "test_enrolment_help_story.py (the "
    "help with enrolment page after the card is marked lost)",
}

#: GET routes outside the API that are not pages a person reads, with the reason.
NOT_PAGES = {
    "/openapi.json": "the API's description (JSON)",
    "/healthz": "plain text for the load balancer",
    "/readyz": "JSON for the load balancer",
    "/metrics": "Prometheus text",
    "/dev/sms.json": "JSON: the local SMS gateway's messages for scripts and tests",
    "/app/manifest.webmanifest": "the web app manifest (JSON)",
    "/app/sw.js": "the service worker (JavaScript)",
    "/app/inbox": "a redirect to /app#inbox (checked as the app's inbox screen)",
    "/app/booking": "a redirect to /app#booking (checked as the app's booking screen)",
    "/app/patent-return": "a redirect to /app#patent (checked as the app's patent screens)",
    "/app/check-in": "a redirect to /app#check-in, the home screen sending one fix (checked as "
    "the app's home screen)",
    "/console/booking/check-in": "a redirect to /console/booking?code=… (checked)",
    "/docs": "Swagger UI, a third-party page for developers loaded from its CDN, which the "
    "test machine cannot reach; it is not part of the service people use",
}


# --- the list of pages comes from the router ----------------------------------------------


def page_routes(tmp_path: Path) -> set[str]:
    """Every GET route of the app (in development mode, so the /dev pages are there) outside
    the API and the static files."""
    from amina.adapters.web.app import create_app
    from amina.bootstrap import build
    from amina.settings import load_settings

    settings = load_settings(
        env="development",
        database_url=f"sqlite:///{tmp_path / 'routes.sqlite3'}",
        data_dir=tmp_path / "var",
        scheduler=False,
    )
    container = build(settings)
    try:
        app = create_app(container)
        return {
            path
            for path, methods in _walk(app.routes)
            if "GET" in methods and not path.startswith(("/api/", "/static"))
        }
    finally:
        container.engine.dispose()


def _walk(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, set[str]]]:
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI's included routers
        if included is not None:
            context_prefix = getattr(getattr(route, "include_context", None), "prefix", "")
            yield from _walk(included.routes, prefix + (context_prefix or ""))
        elif getattr(route, "methods", None):
            yield prefix + route.path, set(route.methods)


def route_of(url: str, routes: set[str]) -> str:
    path = url.split("?", 1)[0].split("#", 1)[0]
    for route in routes:
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", route), path):
            return route
    raise AssertionError(f"{url} matches no route")


def visited_urls() -> list[str]:
    console = [path for paths in CONSOLE.values() for path in paths]
    return [*PUBLIC, "/app", *console]


def test_every_page_of_the_app_is_checked_by_axe_or_says_why_not(tmp_path: Path) -> None:
    routes = page_routes(tmp_path)
    visited = {route_of(url, routes) for url in visited_urls()}
    accounted = visited | set(CHECKED_IN_STORIES) | set(NOT_PAGES)

    assert routes - accounted == set(), "pages that no accessibility check visits"
    assert set(NOT_PAGES) - routes == set(), "listed as not pages, but no such route"
    assert set(CHECKED_IN_STORIES) - routes == set(), "listed as checked, but no such route"


APP_TEMPLATES = Path(__file__).resolve().parents[2] / "amina/adapters/web/templates/app"
STORIES = Path(__file__).resolve().parent


def test_every_screen_of_the_persons_app_is_checked_by_axe() -> None:
    screens = {
        match
        for template in APP_TEMPLATES.glob("*.html")
        for match in re.findall(r'id="screen-([a-z-]+)"', template.read_text(encoding="utf-8"))
    }
    checked = set(APP_SIGNED_OUT) | set(APP_SIGNED_IN) | set(APP_SCREENS_CHECKED_IN_STORIES)
    assert screens - checked == set(), "app screens that no accessibility check shows"
    assert checked - screens == set(), "listed as checked, but the app has no such screen"


def test_the_stories_named_as_checking_a_page_run_axe_on_it() -> None:
    named = {
        **CHECKED_IN_STORIES,
        **APP_SCREENS_CHECKED_IN_STORIES,
        **ANSWERS_CHECKED_IN_STORIES,
    }
    for where, story in named.items():
        module = STORIES / story.split(" ", 1)[0]
        assert "assert_accessible(" in module.read_text(encoding="utf-8"), f"{where}: {story}"


# --- the browser --------------------------------------------------------------------------


def new_page(browser: Browser, size: dict[str, Any], state: dict[str, Any] | None) -> Page:
    context: BrowserContext = browser.new_context(**size, storage_state=state)
    context.set_default_timeout(15_000)
    return context.new_page()


def report(found: list[str], checked: int) -> None:
    assert checked > 0
    assert not found, f"axe-core on {checked} page(s):\n\n" + "\n\n".join(found)


def test_public_pages_have_no_accessibility_violations_at_a_phones_size(
    browser: Browser, amina_server: AminaServer, language: str
) -> None:
    page = new_page(browser, PHONE, None)
    found: list[str] = []
    try:
        for path in PUBLIC:
            glue = "&" if "?" in path else "?"
            page.goto(f"{amina_server.url}{path}{glue}lang={language}")
            page.wait_for_load_state("networkidle")
            # the console speaks Russian or English (the browser's language decides)
            spoken = "ru|en" if path.startswith("/console") else language
            expect(page.locator("html")).to_have_attribute("lang", re.compile(f"^({spoken})$"))
            check_accessibility(page, f"{path} ({language}, phone)", found)
    finally:
        page.context.close()
    report(found, len(PUBLIC))


# --- the person's app ---------------------------------------------------------------------

CODE = re.compile(r"\b(\d{6})\b")
#: A demo card holder no other browser test signs in with (amina/demo/cards.py).
HOLDER = "7725000020"


@dataclass(frozen=True)
class SignedInPerson:
    person_id: str
    token: str
    storage: dict[str, Any]


def _demo_card(number: str) -> dict[str, str]:
    with DEMO_REGISTER.open(encoding="utf-8", newline="") as register:
        return next(row for row in csv.DictReader(register) if row["card_number"] == number)


def _codes(server: AminaServer, phone: str) -> list[str]:
    messages = httpx.get(server.url + "/dev/sms.json", timeout=5).json()
    return [
        match.group(1)
        for message in messages
        if message["to"] == phone and (match := CODE.search(message["text"]))
    ]


@pytest.fixture(scope="module")
def person(amina_server: AminaServer) -> SignedInPerson:
    """A demo card holder signed in through the API (as the app does) with a registration of
    the place of stay, and the app's session for the browser's local storage."""
    holder = _demo_card(HOLDER)
    http = httpx.Client(base_url=amina_server.url, timeout=15)
    seen = _codes(amina_server, holder["phone"])
    asked = http.post(
        "/api/v1/auth/otp",
        json={
            "method": "card",
            "card_number": holder["card_number"],
            "date_of_birth": holder["date_of_birth"],
        },
    )
    assert asked.status_code == 202, asked.text
    deadline = time.monotonic() + 10
    while len(codes := _codes(amina_server, holder["phone"])) <= len(seen):
        assert time.monotonic() < deadline, "no sign-in code was sent"
        time.sleep(0.1)
    signed = http.post(
        "/api/v1/auth/verify",
        json={
            "challenge_id": asked.json()["challenge_id"],
            "code": codes[0],
            "device": {"name": "Phone", "platform": "web"},
        },
    )
    assert signed.status_code == 200, signed.text
    answer = signed.json()
    bearer = {"Authorization": f"Bearer {answer['access_token']}"}
    today = moscow_date(SystemClock().now())
    registered = http.post(
        "/api/v1/me/registrations",
        headers=bearer,
        json={
            "address": {
                "region": "RU-MOW",
                "settlement": "Москва",
                "street": "ул. Тверская",
                "house": "7",
                "building": None,
                "flat": "12",
                "fias_id": None,
                "lat": None,
                "lon": None,
            },
            "host": {"kind": "person", "name": "Иванова Мария Петровна", "document": "4510 123456"},
            "stay_from": today.isoformat(),
            "stay_to": (today + timedelta(days=90)).isoformat(),
            "purpose": "work",
            "dependants": [],
        },
    )
    assert registered.status_code == 201, registered.text
    storage = {
        "cookies": [],
        "origins": [
            {
                "origin": amina_server.url,
                "localStorage": [
                    {"name": "amina.access_token", "value": answer["access_token"]},
                    {"name": "amina.access_expires_at", "value": answer["expires_at"]},
                    {"name": "amina.device_credential", "value": answer["device_credential"]},
                    {"name": "amina.person", "value": json.dumps(answer["person"])},
                ],
            }
        ],
    }
    return SignedInPerson(answer["person"]["id"], answer["access_token"], storage)


def show_screen(page: Page, server: AminaServer, name: str) -> None:
    page.goto(f"{server.url}/app#{name}")
    expect(page.locator(f"#screen-{name}")).to_be_visible()
    page.wait_for_load_state("networkidle")


def test_the_persons_app_screens_have_no_accessibility_violations_at_a_phones_size(
    browser: Browser, amina_server: AminaServer, person: SignedInPerson, language: str
) -> None:
    saved = httpx.patch(
        amina_server.url + "/api/v1/me",
        json={"language": language},
        headers={"Authorization": f"Bearer {person.token}"},
        timeout=15,
    )
    assert saved.status_code == 200, saved.text
    found: list[str] = []
    signed_out = new_page(browser, PHONE, None)
    try:
        signed_out.goto(f"{amina_server.url}/app?lang={language}")
        for name in APP_SIGNED_OUT:
            show_screen(signed_out, amina_server, name)
            check_accessibility(signed_out, f"/app#{name} ({language}, phone, signed out)", found)
    finally:
        signed_out.context.close()

    state = {**person.storage, "cookies": []}
    signed_in = new_page(browser, PHONE, state)
    try:
        signed_in.goto(f"{amina_server.url}/app?lang={language}")
        expect(signed_in.locator("html")).to_have_attribute("lang", language)
        for name in APP_SIGNED_IN:
            show_screen(signed_in, amina_server, name)
            check_accessibility(signed_in, f"/app#{name} ({language}, phone)", found)
    finally:
        signed_in.context.close()
    report(found, len(APP_SIGNED_OUT) + len(APP_SIGNED_IN))


# --- the staff console --------------------------------------------------------------------


def sign_in_staff(browser: Browser, server: AminaServer, totp: TotpCodes, staff: DemoStaff) -> Any:
    page = new_page(browser, DESK, None)
    try:
        page.goto(f"{server.url}/console/sign-in?lang=ru")
        page.locator("#username").fill(staff.username)
        page.locator("#password").fill(staff.password)
        page.locator("#code").fill(totp.code(staff.totp_secret))
        page.locator("form button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/console$"))
        return page.context.storage_state()
    finally:
        page.context.close()


@pytest.fixture(scope="module")
def staff_sessions(browser: Browser, amina_server: AminaServer, totp: TotpCodes) -> dict[Role, Any]:
    """Each demo staff member signed in once; their browsers' cookies, to open any page."""
    return {staff.role: sign_in_staff(browser, amina_server, totp, staff) for staff in DEMO_STAFF}


@pytest.mark.parametrize("size", ["phone", "desk"])
@pytest.mark.parametrize("console_language", CONSOLE_LANGUAGES)
def test_console_pages_have_no_accessibility_violations_for_each_role(
    browser: Browser,
    amina_server: AminaServer,
    staff_sessions: dict[Role, Any],
    person: SignedInPerson,
    console_language: str,
    size: str,
) -> None:
    found: list[str] = []
    checked = 0
    for role, paths in CONSOLE.items():
        page = new_page(browser, PHONE if size == "phone" else DESK, staff_sessions[role])
        try:
            for path in paths:
                url = path.replace(PERSON_ID, person.person_id)
                glue = "&" if "?" in url else "?"
                page.goto(f"{amina_server.url}{url}{glue}lang={console_language}")
                expect(page.locator("html")).to_have_attribute("lang", console_language)
                check_accessibility(
                    page, f"{path} ({role.value}, {console_language}, {size})", found
                )
                checked += 1
        finally:
            page.context.close()
    report(found, checked)


@pytest.fixture(params=LANGUAGES)
def language(request: pytest.FixtureRequest) -> str:
    return str(request.param)
