"""Enrolment help (issue 13, point 4), in Chromium: a person stuck at sign-in comes to the desk.
The operator's console is in Russian at a desk; the person's phone (390×844, its browser in the
person's language) in Russian, Uzbek or Georgian.

- The code does not arrive: the person has begun signing in; the operator finds them by card
  number (a purpose chosen first), sends a new code from the "help with enrolment" page, and the
  person signs in with it.
- The card is lost: the operator marks it lost; the person signs in with the passport, the home
  screen says the card is marked lost and offers a card replacement, and the person books it
  and gets the ticket.

axe-core runs on the "help with enrolment" page (reached only by the operator's actions: it is a
POST's answer) and on the app's booking ticket screen (``#booking-ticket``), see
``CHECKED_IN_STORIES`` in test_accessibility.py.

The server is this module's own (the demo data): the cards below are then free to use.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from axe_support import assert_accessible
from harness import BROWSER_LOCALES, DESK, PHONE, AminaServer, TotpCodes, launch
from playwright.sync_api import Browser, Page, expect
from test_person_app import (
    OPERATOR,
    SmsInbox,
    ask_for_code_by_card,
    card,
    choose_language,
    enter_code,
    fill_date_of_birth,
    screen,
    translated,
)

from amina.i18n import Translator

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

#: Demo card holders with a valid card, one per language and flow (this module's server).
CODE_NOT_ARRIVING = {"ru": "7725000001", "uz": "7725000002", "ka": "7725000014"}
CARD_LOST = {"ru": "7725000010", "uz": "7725000024", "ka": "7725000015"}
RU = Translator("ru")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AminaServer]:
    running = launch(tmp_path_factory.mktemp("enrolment-help"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def operator_state(browser: Browser, server: AminaServer, totp: TotpCodes) -> Any:
    """The demo operator signed in to the console in Russian, once for the module."""
    context = browser.new_context(**DESK)  # type: ignore[arg-type]
    try:
        page = context.new_page()
        page.goto(f"{server.url}/console/sign-in?lang=ru")
        page.locator("#username").fill(OPERATOR.username)
        page.locator("#password").fill(OPERATOR.password)
        page.locator("#code").fill(totp.code(OPERATOR.totp_secret))
        page.locator("form button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/console$"))
        return context.storage_state()
    finally:
        context.close()


@pytest.fixture
def desk(browser: Browser, operator_state: Any) -> Iterator[Page]:
    context = browser.new_context(**DESK, locale="ru-RU", storage_state=operator_state)  # type: ignore[arg-type]
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser: Browser, language: str) -> Iterator[Page]:
    context = browser.new_context(**PHONE, locale=BROWSER_LOCALES[language])  # type: ignore[arg-type]
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture(params=["ru", "uz", "ka"])
def language(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def ru(message: str, **params: str) -> str:
    return translated("ru", message, **params)


def operator_finds_by_card(desk: Page, server: AminaServer, number: str, reason: str) -> Any:
    """The operator opens "find a person", chooses why, and searches by card number."""
    desk.goto(f"{server.url}/console?lang=ru")
    desk.get_by_role("link", name=ru("Find a person")).click()
    expect(desk.get_by_role("heading", level=1)).to_have_text(ru("Find a person"))
    desk.locator('input[name="by"][value="card"]').check()
    desk.locator("#search-card").fill(number)
    desk.get_by_label(ru("Why you need this person's data")).select_option(reason)
    desk.get_by_label(ru("Details"), exact=True).fill("окно 4")
    desk.get_by_role("button", name=ru("Search"), exact=True).click()
    found = desk.locator("[data-person]")
    expect(found).to_have_count(1)
    expect(found).to_contain_text(number)
    return found


def expect_help_page(desk: Page) -> None:
    expect(desk.get_by_role("heading", level=1)).to_have_text(ru("Help with enrolment"))
    expect(desk.locator("html")).to_have_attribute("lang", "ru")
    # what to do when the phone number has changed is said on the page
    expect(desk.locator("main")).to_contain_text(
        ru(
            "The phone number has changed: the code goes to the phone in the card register. "
            "The number is changed at the migration centre in the card register; until then "
            "the person cannot receive codes."
        )
    )


def test_the_operator_sends_a_new_code_and_the_person_signs_in_with_it(
    desk: Page, phone: Page, server: AminaServer, language: str
) -> None:
    person = card(CODE_NOT_ARRIVING[language])
    choose_language(phone, server, language)
    inbox = SmsInbox(server, person["phone"])
    ask_for_code_by_card(phone, language, person)
    screen(phone, "code")
    inbox.next_code()  # sent, but the person says it never arrived

    found = operator_finds_by_card(desk, server, person["card_number"], "code_not_arriving")
    found.get_by_role("button", name=ru("Send a new sign-in code")).click()
    expect_help_page(desk)
    sent = ru(
        "A new code was sent to %(phone)s. It works for the sign-in the person has begun.",
        phone="PHONE",
    )
    notice = desk.locator("#help-done")
    expect(notice).to_have_text(re.compile("^" + re.escape(sent).replace("PHONE", ".+") + "$"))
    expect(notice).to_contain_text(person["phone"][-2:])
    assert person["phone"] not in notice.inner_text()  # the number is masked
    assert_accessible(desk, "the enrolment help page after a new code (ru, desk)")

    enter_code(phone, language, inbox.next_code())
    home = screen(phone, "home")
    expect(phone.locator("html")).to_have_attribute("lang", language)
    expect(home.locator("#eligibility-status")).to_have_text(
        translated(language, "You must use Amina")
    )


def test_the_operator_marks_the_card_lost_and_the_person_signs_in_by_passport_and_books_a_new_card(
    desk: Page, phone: Page, server: AminaServer, language: str
) -> None:
    person = card(CARD_LOST[language])
    found = operator_finds_by_card(desk, server, person["card_number"], "card_lost")
    found.get_by_role("button", name=ru("Mark the card lost")).click()
    expect_help_page(desk)
    expect(desk.locator("#help-done")).to_have_text(
        ru("The card is marked lost. The person now signs in with the passport.")
    )
    assert_accessible(desk, "the enrolment help page after marking the card lost (ru, desk)")

    choose_language(phone, server, language)
    screen(phone, "card").get_by_role("link", name=translated(language, "I lost my card")).click()
    form = screen(phone, "passport")
    inbox = SmsInbox(server, person["phone"])
    form.get_by_label(translated(language, "Your citizenship")).select_option(person["citizenship"])
    form.get_by_label(translated(language, "Your passport number")).fill(person["passport_number"])
    fill_date_of_birth(form, language, person["date_of_birth"])
    form.get_by_role("button", name=translated(language, "Get a code")).click()
    enter_code(phone, language, inbox.next_code())

    home = screen(phone, "home")
    lost = home.locator("#home-booking-lost")
    expect(lost).to_be_visible()
    expect(lost).to_contain_text(translated(language, "Your card is marked lost"))
    lost.get_by_role("link", name=translated(language, "Book a card replacement")).click()

    form = screen(phone, "booking-new")
    expect(form.get_by_label(translated(language, "Service"))).to_have_value("card_replacement")
    times = form.locator("#booking-times button")
    expect(times.first).to_be_visible()
    chosen = times.first.inner_text()
    times.first.click()
    form.locator("#booking-hold").get_by_role(
        "button", name=translated(language, "Confirm the visit")
    ).click()

    ticket = screen(phone, "booking-ticket")
    expect(phone.locator("#app-message")).to_have_text(
        translated(language, "Your visit is booked.")
    )
    expect(ticket.locator("#ticket-code")).to_have_text(re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}$"))
    expect(ticket.locator("#ticket-when")).to_contain_text(chosen)
    expect(ticket.locator("#ticket-qr svg")).to_be_visible()
    phone.wait_for_load_state("networkidle")
    assert_accessible(phone, f"the booking ticket screen ({language}, phone)")
