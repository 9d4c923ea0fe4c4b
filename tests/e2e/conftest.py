"""End-to-end harness: a real `amina serve` process and a real Chromium (Playwright).

- ``amina_server``: one server for the session (demo data, system clock, fresh SQLite file),
  shared by every e2e test. Every e2e module starts with
  ``pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]``, so that all of them run
  on one worker and share the server (the suite runs ``pytest -n 2 --dist loadgroup``).
- ``start_server(demo=True, clock=None, env="development", extra_env=None, port=None)``: a
  server of the test's own, for a fixed clock, another environment or settings; stopped when
  the test ends.
- ``browser`` (one Chromium per session), ``page`` (a new context per test, desktop size) and
  ``phone_page`` (390×844, touch, mobile). When a test fails, a full-page screenshot of its
  page is saved to ``test-artifacts/<test>.png``. The browser speaks the language the test
  shows: its ``language`` parameter, or ``@pytest.mark.browser_language("ru")``, sets the
  context's locale (``BROWSER_LOCALES``: Accept-Language, and the look of the browser's own
  controls, such as ``<input type="time">``, which ``./dev screenshots`` draws in a Chromium
  started in that language: ``CHROMIUM_INTERFACE``); otherwise Chromium's default, English.

Each server's stdout and stderr go to a log file that tests read with ``server.log_text()``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import (
    BROWSER_LOCALES,
    DESK,
    PHONE,
    REPO,
    AminaServer,
    ServerFactory,
    TotpCodes,
    launch,
)
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_configure(config: pytest.Config) -> None:
    # Registered by pytest-xdist too; repeated here so that `-p no:xdist` runs keep working
    # under --strict-markers.
    config.addinivalue_line("markers", "xdist_group(name): run these tests on one worker")
    config.addinivalue_line(
        "markers", "browser_language(code): the browser's locale for page and phone_page"
    )


@pytest.fixture(scope="session")
def amina_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AminaServer]:
    """One server with the demo data and the real clock, shared by the e2e tests."""
    server = launch(tmp_path_factory.mktemp("amina-server"))
    yield server
    server.stop()


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[ServerFactory]:
    """``start_server(demo=True, clock=None, env="development", extra_env=None, port=None)``:
    a server of this test's own, stopped when the test ends."""
    started: list[AminaServer] = []

    def start(**options: object) -> AminaServer:
        server = launch(tmp_path / f"server-{len(started)}", **options)  # type: ignore[arg-type]
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()


#: Chromium draws its own controls (``<input type="time">``, ``type="date"``) in its interface
#: language, which only the process's environment sets (``LANGUAGE``; a context's ``locale``
#: does not) and only for the languages Debian's ``chromium-l10n`` has. The others have none:
#: Russian's 24-hour clock and day.month.year are what those phones show, so they borrow it.
CHROMIUM_INTERFACE = {"ru": "ru", "ro": "ro", "uk": "uk", "en": "en-GB"}


@pytest.fixture(scope="session")
def browsers_in_languages(playwright: Playwright) -> Iterator[dict[str, Browser]]:  # noqa: ARG001 (closed before the driver stops)
    """For the pictures in docs/ only: one more Chromium per interface language, started when
    first asked for (``./dev screenshots``; plain test runs keep the one browser)."""
    started: dict[str, Browser] = {}
    yield started
    for chromium in started.values():
        chromium.close()


def _browser_for(
    request: pytest.FixtureRequest, browser: Browser, locale: dict[str, object]
) -> Browser:
    language = str(locale.get("locale", "")).split("-", 1)[0]
    if not language or os.environ.get("AMINA_DOCS_SCREENSHOTS") != "1":
        return browser
    interface = CHROMIUM_INTERFACE.get(language, "ru")
    started: dict[str, Browser] = request.getfixturevalue("browsers_in_languages")
    if interface not in started:
        playwright: Playwright = request.getfixturevalue("playwright")
        started[interface] = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            env={**os.environ, "LANGUAGE": interface},
        )
    return started[interface]


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"report_{report.when}", report)


def _failed(request: pytest.FixtureRequest) -> bool:
    return any(
        getattr(getattr(request.node, f"report_{when}", None), "failed", False)
        for when in ("setup", "call")
    )


def _screenshot_on_failure(request: pytest.FixtureRequest, page: Page) -> None:
    if not _failed(request):
        return
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid.split("::", 1)[-1])
    try:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    except Exception as error:  # the page may be gone; the test's own error matters more
        print(f"no screenshot for {name}: {error}")  # noqa: T201 (in the test's captured output)


def _context_page(
    browser: Browser, request: pytest.FixtureRequest, **options: object
) -> Iterator[Page]:
    context: BrowserContext = browser.new_context(**options)  # type: ignore[arg-type]
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    _screenshot_on_failure(request, page)
    context.close()


def _browser_locale(request: pytest.FixtureRequest) -> dict[str, object]:
    """The locale of the language the test shows (its marker, else its ``language``)."""
    marker = request.node.get_closest_marker("browser_language")
    callspec = getattr(request.node, "callspec", None)
    language = marker.args[0] if marker else callspec and callspec.params.get("language")
    return {"locale": BROWSER_LOCALES[language]} if language in BROWSER_LOCALES else {}


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context (no cookies) with a desktop-sized page."""
    locale = _browser_locale(request)
    yield from _context_page(_browser_for(request, browser, locale), request, **DESK, **locale)


@pytest.fixture
def phone_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context that looks like a phone: 390×844, touch, mobile."""
    locale = _browser_locale(request)
    yield from _context_page(_browser_for(request, browser, locale), request, **PHONE, **locale)


@pytest.fixture(scope="session")
def totp() -> TotpCodes:
    return TotpCodes()


#: Playwright's assertions wait 5 s by default; on two cores shared with the whole suite a page
#: can take longer to answer, and a story that fails half-way cannot simply be tried again (the
#: shared server keeps what its first try did). Assertions wait as long as actions.
expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests share two cores with the whole suite: a page waiting on a geolocation fix
    or a service worker can miss its timeout under load. Such a test gets two more tries (real
    failures fail all three); unit and integration tests never do."""
    for item in items:
        if item.get_closest_marker("e2e") is not None:
            item.add_marker(pytest.mark.flaky(reruns=2, reruns_delay=1))
