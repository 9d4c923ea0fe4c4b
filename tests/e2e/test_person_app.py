"""The person's app at /app, in Chromium at a phone's size: signing in by card and by passport
with the code from the local SMS gateway, a wrong code and the lock-out, the screens in Tajik
and Georgian, and "who looked at my data" after an operator's search.

Each test signs in with its own demo card (amina/demo/cards.py), so that the tests sharing
the session's server do not meet each other's codes, devices or lock-outs.
"""

from __future__ import annotations

import csv
import os
import re
import time
from pathlib import Path

import httpx
import pytest
from axe_support import assert_accessible
from babel.messages.pofile import read_po
from harness import AminaServer, TotpCodes
from playwright.sync_api import Locator, Page, expect

from amina.demo.cards import DEMO_REGISTER
from amina.demo.staff import DEMO_STAFF
from amina.domain.roles import Role
from amina.i18n import LANGUAGE_NAMES, LOCALE_DIR, Translator

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

CODE = re.compile(r"\b(\d{6})\b")
OPERATOR = next(demo for demo in DEMO_STAFF if demo.role is Role.operator)


def card(number: str) -> dict[str, str]:
    """A demo card holder, as the demo register (a CSV in the import format) lists them."""
    with DEMO_REGISTER.open(encoding="utf-8", newline="") as register:
        return next(row for row in csv.DictReader(register) if row["card_number"] == number)


def translated(language: str, message: str, **params: str) -> str:
    text = Translator(language).gettext(message, **params)
    english = message % params if params else message
    assert language == "en" or text != english, f"{message!r} has no {language} translation"
    return text


def app_english_texts() -> list[str]:
    """Every English text of the app's own screens (the `app` catalog), placeholders cut."""
    with (LOCALE_DIR / "en" / "LC_MESSAGES" / "app.po").open("rb") as po:
        ids = [str(message.id) for message in read_po(po) if message.id]
    return [re.split(r"%\(\w+\)s", text)[0].strip() for text in ids]


def assert_no_english(screen: Locator) -> None:
    shown = screen.inner_text()
    english = [text for text in app_english_texts() if len(text) > 3 and text in shown]
    assert not english, f"English left on the screen: {english}"


class SmsInbox:
    """The local SMS gateway's messages (/dev/sms.json), as the phone on file receives them."""

    def __init__(self, server: AminaServer, phone: str) -> None:
        self.url = server.url + "/dev/sms.json"
        self.phone = phone
        self.seen = self._codes()

    def _codes(self) -> list[str]:
        messages = httpx.get(self.url, timeout=5).json()
        return [
            match.group(1)
            for message in messages
            if message["to"] == self.phone and (match := CODE.search(message["text"]))
        ]

    def next_code(self, timeout: float = 10.0) -> str:
        """The code of the next message to this phone (it leaves after the answer is sent)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            codes = self._codes()
            if len(codes) > len(self.seen):
                self.seen = codes
                return codes[0]  # newest first
            time.sleep(0.1)
        raise AssertionError(f"no SMS to {self.phone} within {timeout} s")


def screen(page: Page, name: str) -> Locator:
    section = page.locator(f"#screen-{name}")
    expect(section).to_be_visible()
    return section


def choose_language(page: Page, server: AminaServer, language: str) -> None:
    page.goto(server.url + "/app")
    languages = screen(page, "language")
    languages.get_by_role("link", name=LANGUAGE_NAMES[language], exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def fill_date_of_birth(form: Locator, language: str, born: str) -> None:
    year, month, day = born.split("-")
    form.get_by_label(translated(language, "Day"), exact=True).fill(str(int(day)))
    form.get_by_label(translated(language, "Month"), exact=True).select_option(str(int(month)))
    form.get_by_label(translated(language, "Year"), exact=True).fill(year)


def ask_for_code_by_card(page: Page, language: str, person: dict[str, str]) -> None:
    form = screen(page, "card")
    form.get_by_label(translated(language, "Your card number")).fill(person["card_number"])
    fill_date_of_birth(form, language, person["date_of_birth"])
    form.get_by_role("button", name=translated(language, "Get a code")).click()


def enter_code(page: Page, language: str, code: str) -> None:
    form = screen(page, "code")
    form.get_by_label(translated(language, "Code from the SMS")).fill(code)
    form.get_by_role("button", name=translated(language, "Confirm the code")).click()


def sign_in_by_card(
    page: Page, server: AminaServer, language: str, person: dict[str, str]
) -> Locator:
    choose_language(page, server, language)
    inbox = SmsInbox(server, person["phone"])
    ask_for_code_by_card(page, language, person)
    enter_code(page, language, inbox.next_code())
    return screen(page, "home")


def test_a_person_signs_in_by_card_with_the_code_from_the_sms_and_sees_their_eligibility(
    phone_page: Page, amina_server: AminaServer
) -> None:
    person = card("7725000001")  # works in Moscow, two children under his account

    home = sign_in_by_card(phone_page, amina_server, "ru", person)

    expect(home.get_by_role("heading", level=1)).to_have_text(
        f"{person['given_names_cyr']} {person['surname_cyr']}"
    )
    expect(home.locator("#eligibility-status")).to_have_text(translated("ru", "You must use Amina"))
    expect(home.locator("#eligibility-explanation")).to_contain_text(
        translated(
            "ru",
            "You must register your place of stay in Amina and keep the app on your phone "
            "sending your location. You do not need to visit the migration centre for this, "
            "and your landlord does not file a notification about you.",
        )
    )
    children = home.locator("#children-list li")
    expect(children).to_have_count(2)
    expect(children.first).to_contain_text("Амир Каримов")
    # dates come from the language's own pattern and month names, not the browser's Intl data
    expect(children.first).to_contain_text("1 сентября 2015 г.")
    expect(home.get_by_role("link", name=translated("ru", "Add a child"))).to_be_visible()

    # The session survives a reload (an installed app is opened again and again).
    phone_page.reload()
    expect(screen(phone_page, "home").locator("#eligibility-status")).to_have_text(
        translated("ru", "You must use Amina")
    )


#: ``AMINA_DOCS_SCREENSHOTS=1`` refreshes the sign-in screenshots in docs/images/ (Russian).
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "images"
TAKE_SCREENSHOTS = os.environ.get("AMINA_DOCS_SCREENSHOTS") == "1"


def docs_screenshot(page: Page, language: str, name: str) -> None:
    if TAKE_SCREENSHOTS and language == "ru":
        page.screenshot(path=str(SCREENSHOTS / name))


TIMER = re.compile(r"\b\d+:\d\d\b")


def timers_shown(section: Locator) -> list[str]:
    """Every wait (m:ss) the person can see in the section."""
    return TIMER.findall(section.inner_text())


@pytest.mark.parametrize(
    ("language", "number"),
    [("ru", "7725000007"), ("uz", "7725000032"), ("ka", "7725000034")],
    ids=["russian", "uzbek", "georgian"],
)
def test_wrong_codes_count_down_the_tries_and_the_lock_shows_one_timer_and_no_new_code(
    phone_page: Page, amina_server: AminaServer, language: str, number: str
) -> None:
    person = card(number)
    choose_language(phone_page, amina_server, language)
    inbox = SmsInbox(amina_server, person["phone"])
    ask_for_code_by_card(phone_page, language, person)
    right = inbox.next_code()
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    code_screen = screen(phone_page, "code")

    # Code sent: where it went (the last two digits only) and one timer, for a new code.
    expect(code_screen.locator("#code-intro")).to_have_text(
        translated(
            language,
            "We sent a code by SMS to the phone number ending in %(digits)s.",
            digits=person["phone"][-2:],
        )
    )
    assert len(timers_shown(code_screen)) == 1
    resend = code_screen.get_by_role("button", name=translated(language, "Send a new code"))
    expect(resend).to_be_visible()

    def try_wrong_code() -> None:
        enter_code(phone_page, language, wrong)
        # The answer is in when the form is no longer busy.
        expect(code_screen.locator("form")).not_to_have_attribute("aria-busy", "true")

    # Wrong codes: the translated refusal and how many tries this code has left.
    alert = code_screen.get_by_role("alert")
    for left in (4, 3, 2, 1):  # five tries per code in all
        try_wrong_code()
        expect(alert).to_contain_text(translated(language, "Wrong code"))
        expect(code_screen.locator("#code-tries")).to_have_text(
            translated(language, "Tries left for this code: %(count)s.", count=str(left))
        )
    expect(alert).not_to_contain_text("Wrong code")
    assert len(timers_shown(code_screen)) <= 1
    docs_screenshot(phone_page, language, "app-sign-in-wrong-code.png")
    assert_accessible(phone_page, f"the code screen after wrong codes ({language})")

    # Locked: one state, one timer, no code entry and no offer of a new code.
    try_wrong_code()
    locked = code_screen.locator("#code-locked")
    expect(locked).to_be_visible()
    expect(locked.get_by_role("heading")).to_have_text(translated(language, "Too many attempts"))
    countdown = translated(language, "You can try again in %(time)s.", time="{time}")
    expect(locked.locator(".app-countdown")).to_have_text(
        re.compile(re.escape(countdown).replace(re.escape("{time}"), r"\d+:\d\d"))
    )
    assert len(timers_shown(code_screen)) == 1
    expect(resend).to_be_hidden()
    expect(
        code_screen.get_by_role("button", name=translated(language, "Confirm the code"))
    ).to_be_hidden()
    expect(code_screen.get_by_role("alert")).to_have_count(0)
    assert_no_english(phone_page.locator("body"))
    docs_screenshot(phone_page, language, "app-sign-in-locked.png")
    assert_accessible(phone_page, f"the locked code screen ({language})")

    # A reload shows the same state (an installed app is opened again and again).
    phone_page.reload()
    code_screen = screen(phone_page, "code")
    expect(code_screen.locator("#code-locked")).to_be_visible()
    assert len(timers_shown(code_screen)) == 1
    expect(
        code_screen.get_by_role("button", name=translated(language, "Send a new code"))
    ).to_be_hidden()
    if language != "ru":
        return

    # The code's tries are spent (a 30 s pause): when the pause ends, the only offer is to
    # start again, which asks for a new code with the person's details.
    restart = code_screen.get_by_role("link", name=translated(language, "Start again"))
    expect(restart).to_be_visible(timeout=45_000)
    expect(code_screen.locator("#code-locked-timer")).to_have_text(
        translated(language, "The pause is over. Start again to get a new code.")
    )
    assert timers_shown(code_screen) == []
    restart.click()
    screen(phone_page, "card")
    ask_for_code_by_card(phone_page, language, person)
    enter_code(phone_page, language, inbox.next_code())
    screen(phone_page, "home")


def test_a_person_who_lost_their_card_signs_in_by_passport(
    phone_page: Page, amina_server: AminaServer
) -> None:
    person = card("7725000003")  # the card is lost
    choose_language(phone_page, amina_server, "uz")
    screen(phone_page, "card").get_by_role("link", name=translated("uz", "I lost my card")).click()
    form = screen(phone_page, "passport")
    expect(form.get_by_role("heading", level=1)).to_have_text(
        translated("uz", "Sign in with your passport")
    )
    inbox = SmsInbox(amina_server, person["phone"])
    form.get_by_label(translated("uz", "Your citizenship")).select_option(person["citizenship"])
    form.get_by_label(translated("uz", "Your passport number")).fill(person["passport_number"])
    fill_date_of_birth(form, "uz", person["date_of_birth"])
    form.get_by_role("button", name=translated("uz", "Get a code")).click()

    enter_code(phone_page, "uz", inbox.next_code())

    home = screen(phone_page, "home")
    expect(home.get_by_role("heading", level=1)).to_have_text(
        f"{person['given_names_lat']} {person['surname_lat']}"
    )
    expect(home.locator("#eligibility-status")).to_have_text(translated("uz", "You must use Amina"))


@pytest.mark.parametrize(
    ("language", "number", "script"),
    [
        ("tg", "7725000030", re.compile(r"[ҷҳқғӯӣ]", re.IGNORECASE)),
        ("ka", "7725000037", re.compile(r"[\u10d0-\u10ff]")),
    ],
    ids=["tajik", "georgian"],
)
def test_the_sign_in_screens_speak_tajik_and_georgian(
    phone_page: Page, amina_server: AminaServer, language: str, number: str, script: re.Pattern[str]
) -> None:
    person = card(number)
    choose_language(phone_page, amina_server, language)

    card_screen = screen(phone_page, "card")
    heading = card_screen.get_by_role("heading", level=1)
    expect(heading).to_have_text(translated(language, "Sign in with your card"))
    assert script.search(heading.inner_text())
    expect(card_screen.get_by_label(translated(language, "Your card number"))).to_be_visible()
    assert_no_english(phone_page.locator("body"))

    # The scripts' own messages come in the language too (checked before anything is sent).
    card_screen.get_by_role("button", name=translated(language, "Get a code")).click()
    expect(card_screen.locator("[data-field=card_number] .field-error")).to_have_text(
        translated(language, "Enter the card number.")
    )
    expect(card_screen.locator("[data-field=date_of_birth] .field-error")).to_have_text(
        translated(language, "Enter the date of birth: day, month and year.")
    )

    phone_page.locator(".app-bar-language").click()
    language_screen = screen(phone_page, "language")
    expect(language_screen.get_by_role("heading", level=1)).to_have_text(
        translated(language, "Choose your language")
    )
    expect(
        language_screen.get_by_role("link", name=LANGUAGE_NAMES[language], exact=True)
    ).to_have_attribute("aria-current", "true")
    assert_no_english(phone_page.locator("body"))
    phone_page.go_back()

    screen(phone_page, "card").get_by_role(
        "link", name=translated(language, "I lost my card")
    ).click()
    passport_screen = screen(phone_page, "passport")
    expect(passport_screen.get_by_role("heading", level=1)).to_have_text(
        translated(language, "Sign in with your passport")
    )
    own_country = Translator(language).locale.territories[person["citizenship"]]
    expect(
        passport_screen.get_by_label(translated(language, "Your citizenship")).locator("option")
    ).to_contain_text([own_country])
    assert_no_english(phone_page.locator("body"))
    passport_screen.get_by_role("link", name=translated(language, "Sign in with your card")).click()

    inbox = SmsInbox(amina_server, person["phone"])
    ask_for_code_by_card(phone_page, language, person)
    code_screen = screen(phone_page, "code")
    expect(code_screen.get_by_role("heading", level=1)).to_have_text(
        translated(language, "Enter the code")
    )
    assert_no_english(phone_page.locator("body"))
    enter_code(phone_page, language, inbox.next_code())

    home = screen(phone_page, "home")
    expect(home.locator("#eligibility-status")).to_have_text(
        translated(language, "You must use Amina")
    )
    expect(
        home.get_by_role("link", name=translated(language, "Who looked at my data"))
    ).to_be_visible()
    assert_no_english(phone_page.locator("body"))


def operator_signs_in(page: Page, server: AminaServer, totp: TotpCodes) -> str:
    """Sign the demo operator in to the console; returns the session's CSRF token."""
    page.goto(f"{server.url}/console/sign-in?lang=en")
    page.get_by_label("Username").fill(OPERATOR.username)
    page.get_by_label("Password").fill(OPERATOR.password)
    page.get_by_label("Code from the authenticator app").fill(totp.code(OPERATOR.totp_secret))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/console$"))
    return page.locator("input[name=csrf_token]").first.input_value()


def test_the_person_sees_an_operators_search_in_who_looked_at_my_data(
    phone_page: Page, page: Page, amina_server: AminaServer, totp: TotpCodes
) -> None:
    person = card("7725000012")
    home = sign_in_by_card(phone_page, amina_server, "ru", person)
    home.get_by_role("link", name=translated("ru", "Who looked at my data")).click()
    expect(screen(phone_page, "access-log").locator("#access-empty")).to_have_text(
        translated("ru", "Nobody has looked at your data yet.")
    )

    purpose = "Человек у окна 3 не может войти в приложение"
    csrf = operator_signs_in(page, amina_server, totp)
    found = page.request.post(
        amina_server.url + "/api/v1/staff/persons/search",
        data={"card_number": person["card_number"], "purpose": purpose},
        headers={"X-CSRF-Token": csrf},
    )
    assert found.status == 200, found.text()

    phone_page.reload()
    entries = screen(phone_page, "access-log").locator("#access-list li")
    expect(entries).to_have_count(1)
    entry = entries.first
    expect(entry.locator(".app-access-purpose")).to_have_text(purpose)
    expect(entry.locator(".app-access-who")).to_contain_text(
        translated("ru", "Migration centre operator")
    )
    expect(entry.locator(".app-access-what")).to_have_text(
        translated("ru", "Found your record and saw your card details.")
    )
    assert OPERATOR.display_name not in entry.inner_text()
    expect(entry.locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\d"))


def test_the_installed_app_starts_without_a_network(
    phone_page: Page, amina_server: AminaServer
) -> None:
    choose_language(phone_page, amina_server, "kk")
    screen(phone_page, "card")
    # The service worker keeps a copy of the shell, in the language chosen.
    phone_page.wait_for_function(
        """async () => {
            const shell = await caches.match("/app", { ignoreVary: true });
            return Boolean(shell) && (await shell.text()).includes('<html lang="kk"');
        }"""
    )
    manifest = phone_page.locator('link[rel="manifest"]').get_attribute("href")
    assert manifest == "/app/manifest.webmanifest"

    phone_page.context.set_offline(True)
    try:
        phone_page.reload()
        card_screen = screen(phone_page, "card")
        expect(card_screen.get_by_role("heading", level=1)).to_have_text(
            translated("kk", "Sign in with your card")
        )
        # Nothing can be sent offline: the person is told so, in their language.
        person = card("7725000036")
        ask_for_code_by_card(phone_page, "kk", person)
        expect(card_screen.get_by_role("alert")).to_have_text(
            translated("kk", "No connection. Check the internet and try again.")
        )
    finally:
        phone_page.context.set_offline(False)
