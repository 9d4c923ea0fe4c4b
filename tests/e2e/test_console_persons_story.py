"""The operator at the desk, in Russian, in Chromium: finds a demo card holder by surname after
choosing the purpose, and opens the person's registration history. Set
``AMINA_DOCS_SCREENSHOTS=1`` to refresh the screenshots in docs/images/ (docs/operators.md)."""

from __future__ import annotations

import os
import re

import pytest
from axe_support import assert_accessible
from harness import REPO, AminaServer, TotpCodes
from playwright.sync_api import Page, expect

from amina.demo.staff import DEMO_STAFF
from amina.domain.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

OPERATOR = next(demo for demo in DEMO_STAFF if demo.role is Role.operator)
SCREENSHOTS = REPO / "docs" / "images"


def screenshot(page: Page, name: str) -> None:
    if os.environ.get("AMINA_DOCS_SCREENSHOTS") == "1":
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


@pytest.mark.browser_language("ru")
def test_an_operator_finds_a_person_by_name_and_opens_the_registration_history(
    page: Page, amina_server: AminaServer, totp: TotpCodes
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{amina_server.url}/console/sign-in?lang=ru")
    page.locator("#username").fill(OPERATOR.username)
    page.locator("#password").fill(OPERATOR.password)
    page.locator("#code").fill(totp.code(OPERATOR.totp_secret))
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/console$"))

    page.get_by_role("link", name="Поиск человека").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Поиск человека")
    page.locator('input[name="by"][value="name"]').check()
    page.get_by_label("Фамилия").fill("Беридзе")
    page.get_by_label("Зачем вам данные этого человека").select_option("registration_question")
    page.get_by_label("Подробности").fill("окно 3")
    page.get_by_role("button", name="Найти", exact=True).click()

    result = page.locator("[data-person]")
    expect(result).to_have_count(1)
    expect(result).to_contain_text("Beridze")
    expect(result).to_contain_text("7725000014")
    screenshot(page, "console-person-search.png")
    assert_accessible(page, "the person search with a result")

    result.get_by_role("button", name="История регистраций").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("История регистраций")
    expect(page.locator("[data-registration]").first).to_be_visible()
    expect(page.locator('[data-event="registered"]').first).to_contain_text("Зарегистрирован")
    screenshot(page, "console-registration-history.png")
    assert_accessible(page, "the registration history")
