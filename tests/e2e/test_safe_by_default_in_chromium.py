"""Safe by default, in a real server and a real Chromium (docs/operations.md): the pages work
under their Content-Security-Policy (Chromium enforces it; a violation would break them), no
other site can frame them, development mode says so when it starts, and a production server
has no /dev pages and says that it cannot send sign-in codes."""

from __future__ import annotations

import httpx
import pytest
from harness import AminaServer, ServerFactory
from playwright.sync_api import ConsoleMessage, Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

PAGES = (
    "/",
    "/app",
    "/app#booking",
    "/verify?code=MPJW9QYVB6WDC",
    "/patent/check",
    "/console/sign-in",
    "/dev/sms",
)


def csp_reports(page: Page) -> list[str]:
    """What Chromium says on the console about the Content-Security-Policy, as it happens."""
    reports: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            reports.append(message.text)

    page.on("console", keep)
    return reports


def test_the_pages_run_under_their_content_security_policy(
    page: Page, amina_server: AminaServer
) -> None:
    reports = csp_reports(page)
    for path in PAGES:
        page.goto(amina_server.url + path)
        page.wait_for_load_state("networkidle")
    # the scripts ran: the app shows its first screen (every screen is hidden until its
    # script shows it)
    page.goto(amina_server.url + "/app?lang=en")
    expect(page.get_by_role("heading", name="Choose your language")).to_be_visible()

    assert reports == []

    # the policy is enforced: an inline script is refused, and Chromium says so
    ran = page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.inlineRan = true"; document.head.append(s);
                   return window.inlineRan === true; }"""
    )
    assert ran is False
    page.wait_for_timeout(500)  # the console message follows the refusal
    assert any("inline script" in report for report in reports), reports


def test_no_other_site_can_frame_a_page(page: Page, amina_server: AminaServer) -> None:
    reports = csp_reports(page)
    page.set_content(f'<iframe src="{amina_server.url}/app"></iframe>')
    page.wait_for_timeout(1_000)

    framed = page.frames[1]
    assert framed.locator("form").count() == 0
    assert any("frame-ancestors 'none'" in report for report in reports), reports


def test_development_mode_says_so_when_it_starts(amina_server: AminaServer) -> None:
    assert "Development mode (AMINA_ENV=development)" in amina_server.log_text()


def test_a_production_server_has_no_dev_pages_and_says_it_cannot_send_codes(
    start_server: ServerFactory,
) -> None:
    server = start_server(
        demo=False,
        env="production",
        extra_env={"AMINA_SECRET_KEY": "a-production-secret-for-this-test-0123456789"},
    )

    assert httpx.get(server.url + "/dev/sms").status_code == 404
    assert httpx.get(server.url + "/dev/sms.json").status_code == 404
    said = server.log_text()
    assert "Development mode" not in said
    assert "No SMS provider is configured" in said
    assert '"event": "sms.unconfigured"' in said
