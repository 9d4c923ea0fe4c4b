"""Plain words instead of identifiers (issue 13, point 6), in Chromium: a person reads who
looked at their data by role and staff number, and why, in Russian, Uzbek and Georgian on a
phone; the auditor's page and the policy editor speak Russian (the audit page on a phone too);
the verification verdict keeps its word whole on a phone. Set ``AMINA_DOCS_SCREENSHOTS=1`` to
refresh the screenshots in docs/images/ (docs/roles.md, docs/console.md)."""

from __future__ import annotations

import os
import re

import pytest
from harness import REPO, AminaServer, TotpCodes
from playwright.sync_api import Page, expect
from test_person_app import card, screen, sign_in_by_card, translated

from amina.demo.staff import DEMO_STAFF, DemoStaff
from amina.domain.policy import PARAMETER_RANGES
from amina.domain.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
#: Card holders no other browser test uses, one per language.
READERS = {"ru": "7725000024", "uz": "7725000025", "ka": "7725000027"}


def screenshot(page: Page, name: str) -> None:
    if os.environ.get("AMINA_DOCS_SCREENSHOTS") == "1":
        page.screenshot(path=str(REPO / "docs" / "images" / name), full_page=True)


def demo(role: Role) -> DemoStaff:
    return next(staff for staff in DEMO_STAFF if staff.role is role)


def console_sign_in(page: Page, server: AminaServer, totp: TotpCodes, role: Role) -> None:
    staff = demo(role)
    page.goto(f"{server.url}/console/sign-in?lang=ru")
    page.locator("#username").fill(staff.username)
    page.locator("#password").fill(staff.password)
    page.locator("#code").fill(totp.code(staff.totp_secret))
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/console$"))


def operator_searches(page: Page, server: AminaServer, totp: TotpCodes, number: str) -> None:
    """The operator, in the Russian console, finds the card holder with a purpose from the
    list and a few words of their own."""
    console_sign_in(page, server, totp, Role.operator)
    page.goto(f"{server.url}/console/persons")
    page.locator('input[name="by"][value="card"]').check()
    page.locator("#search-card").fill(number)
    page.get_by_label("Зачем вам данные этого человека").select_option("cannot_sign_in")
    page.get_by_label("Подробности").fill("окно 3")
    page.get_by_role("button", name="Найти", exact=True).click()
    expect(page.locator("[data-person]")).to_have_count(1)


@pytest.mark.parametrize("language", ["ru", "uz", "ka"])
def test_a_person_reads_who_looked_by_role_and_staff_number_and_why_in_their_language(
    phone_page: Page, page: Page, amina_server: AminaServer, totp: TotpCodes, language: str
) -> None:
    person = card(READERS[language])
    operator_searches(page, amina_server, totp, person["card_number"])

    home = sign_in_by_card(phone_page, amina_server, language, person)
    home.get_by_role("link", name=translated(language, "Who looked at my data")).click()

    entry = screen(phone_page, "access-log").locator("#access-list li").first
    who = entry.locator(".app-access-who")
    expect(who).to_contain_text(translated(language, "Migration centre operator"))
    staff_number = translated(language, "Staff number %(id)s", id="{id}").split("{id}")[0]
    expect(who).to_contain_text(re.compile(re.escape(staff_number) + r"\d+"))
    assert not UUID.search(who.inner_text())
    expect(entry.locator(".app-access-purpose")).to_have_text(
        translated(language, "The person is at the desk and cannot sign in") + ": окно 3"
    )
    screenshot(phone_page, f"app-access-log-{language}-phone.png")


@pytest.mark.browser_language("ru")
def test_the_auditor_reads_the_log_in_russian_on_a_phone_and_narrows_it(
    phone_page: Page, page: Page, amina_server: AminaServer, totp: TotpCodes
) -> None:
    operator_searches(page, amina_server, totp, "7725000028")
    console_sign_in(phone_page, amina_server, totp, Role.auditor)

    phone_page.goto(f"{amina_server.url}/console/audit")
    entries = phone_page.locator("#audit-entries")
    expect(entries.get_by_role("heading", name="Записи")).to_be_visible()
    phone_page.get_by_label("Номер карты человека").fill("7725000028")
    phone_page.get_by_label("Что сделано").select_option(label="Поиск человека")
    phone_page.get_by_role("button", name="Показать записи").click()

    rows = entries.locator("tbody tr")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row.locator(".audit-action")).to_have_text("Поиск человека")
    expect(row.locator(".audit-who")).to_contain_text(re.compile(r"Оператор, сотрудник № \d+"))
    expect(row.locator(".audit-purpose")).to_have_text("Человек у окна и не может войти: окно 3")
    expect(row.locator(".audit-card")).to_have_text("7725000028")
    assert not UUID.search(entries.inner_text())
    assert "{" not in entries.inner_text()  # no raw details
    # The page itself fits the phone: only the table scrolls sideways, inside its frame.
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone_page, "console-audit-phone.png")


@pytest.mark.browser_language("ru")
def test_the_policy_editor_names_each_parameter_in_russian_and_says_what_it_does(
    page: Page, amina_server: AminaServer, totp: TotpCodes
) -> None:
    console_sign_in(page, amina_server, totp, Role.supervisor)

    page.goto(f"{amina_server.url}/console/policy")

    shown = page.locator("main").inner_text()
    assert [name for name in PARAMETER_RANGES if name in shown] == []
    retention = page.locator(
        '#policy-parameters tr[data-parameter="idempotency_key_retention_days"]'
    )
    expect(retention.locator("label")).to_have_text("Повторный запрос распознаётся, дней")
    expect(retention.locator(".policy-description")).to_contain_text("Сколько дней сервер помнит")
    expect(page.locator("#policy-versions")).to_contain_text("Исходные правила")


def test_the_verdict_keeps_its_word_whole_on_a_phone(
    phone_page: Page, amina_server: AminaServer
) -> None:
    phone_page.goto(f"{amina_server.url}/verify?lang=ru&code=AAAA-BBBB-CCCC")

    word = phone_page.locator(".verdict__word")
    expect(word).to_contain_text("Недействительна")
    # Each word of the verdict is drawn on one line: a word broken across lines has two boxes.
    boxes = word.evaluate(
        """(element) => {
          const text = element.firstChild;
          const counts = [];
          for (const match of text.textContent.matchAll(/\\S+/g)) {
            const range = document.createRange();
            range.setStart(text, match.index);
            range.setEnd(text, match.index + match[0].length);
            counts.push(range.getClientRects().length);
          }
          return counts;
        }"""
    )
    assert boxes
    assert all(count == 1 for count in boxes), boxes
