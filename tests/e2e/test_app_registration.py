"""Registering the place of stay in the person's app (issue 4, point 6; issue 13), in Chromium
at a phone's size: a demo person registers by typing part of the street and choosing the
address the state register suggests, without coordinates, and reviews it in words (in Russian,
Uzbek and Georgian); after three nights at one place the app asks whether it is home (the same
three languages); another
registers with "I am at this address now", downloads the slip (a PDF with the address), a host
checks the code on /verify in a browser of their own, the person changes address and the old
code stops being valid; and a problem the server finds is shown next to its field, in Kyrgyz.

Each test signs in with its own demo card (amina/demo/cards.py) that has no demo registration
(amina/demo/registrations.py), so that the tests sharing the session's server do not meet.
"""

from __future__ import annotations

import re
import subprocess
import uuid
from datetime import date, datetime, time, timedelta
from pathlib import Path

import httpx
import pytest
from axe_support import assert_accessible
from docs_images import docs_image
from harness import AminaServer
from playwright.sync_api import Browser, Locator, Page, expect
from test_person_app import card, screen, sign_in_by_card, translated

from amina.adapters.clock import SystemClock
from amina.demo.registrations import MOVER, STAYS
from amina.domain.calendar import MOSCOW

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

#: Petrovka street and Bolshaya Dmitrovka street, central Moscow: well inside RU-MOW.
PETROVKA = {"latitude": 55.7653, "longitude": 37.6173, "accuracy": 12}
DMITROVKA = {"latitude": 55.7610, "longitude": 37.6130, "accuracy": 9}
#: Saint Petersburg: outside Moscow and Moscow Oblast.
PETERSBURG = {"latitude": 59.9343, "longitude": 30.3351, "accuracy": 20}

NO_DEMO_REGISTRATION = {stay.card_number for stay in STAYS} | {MOVER}


def moscow_today() -> date:
    # The server under test runs on the real clock, so "today" is the real one.
    return SystemClock().now().astimezone(MOSCOW).date()


def without_registration(number: str) -> dict[str, str]:
    assert number not in NO_DEMO_REGISTRATION, f"{number} has a demo registration"
    return card(number)


def at(page: Page, where: dict[str, float]) -> None:
    """The phone is at ``where``, and the person lets the app use its location."""
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation(where)


def fill_address(form: Locator, language: str, street: str, house: str, flat: str) -> None:
    form.get_by_label(translated(language, "Moscow"), exact=True).check()
    form.get_by_label(translated(language, "City, town or village")).fill("Москва")
    form.get_by_label(translated(language, "Street"), exact=True).fill(street)
    form.get_by_label(translated(language, "House"), exact=True).fill(house)
    form.locator('[name="address.flat"]').fill(flat)


def use_current_location(form: Locator, language: str, where: dict[str, float]) -> None:
    """ "I am at this address now — use my location": the app says the location was found (the
    numbers are never shown)."""
    form.get_by_role(
        "button", name=translated(language, "I am at this address now — use my location")
    ).click()
    expect(form.locator("#reg-locate-status")).to_have_text(
        translated(
            language,
            "Location found, accurate to about %(metres)s m. It will be saved with the address.",
            metres=str(round(where["accuracy"])),
        )
    )


def fill_host_and_stay(form: Locator, language: str, stay_to: date) -> None:
    form.get_by_label(translated(language, "A person (owner or landlord)")).check()
    form.get_by_label(translated(language, "Name of the person or organisation")).fill(
        "Петров Пётр Петрович"
    )
    form.get_by_label(translated(language, "Host's identity document")).fill("4512 345678")
    form.get_by_label(translated(language, "Last day"), exact=True).fill(stay_to.isoformat())
    form.get_by_label(translated(language, "Purpose of stay")).select_option("work")


def send(page: Page, language: str) -> None:
    """Continue to the review, then send."""
    page.get_by_role("button", name=translated(language, "Continue to the check")).click()
    review = page.locator("#register-review")
    expect(review.get_by_role("heading", level=1)).to_have_text(
        translated(language, "Check before sending")
    )
    review.get_by_role("button", name=translated(language, "Send the registration")).click()


def slip_code(page: Page) -> str:
    code = screen(page, "registration").locator("#registration-code")
    expect(code).to_have_text(re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{5}$"))
    return code.inner_text()


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def host_checks(host: Page, server: AminaServer, code: str) -> Locator:
    """A host types the code on /verify (the page in English: a browser of their own)."""
    host.goto(f"{server.url}/verify?lang=en")
    host.get_by_label("Slip code").fill(code)
    host.get_by_role("button", name="Check").click()
    verdict = host.locator(".verdict__word")
    expect(verdict).to_be_visible()
    return verdict


def test_a_person_registers_downloads_the_slip_a_host_verifies_it_and_a_change_of_address_voids_it(
    phone_page: Page, browser: Browser, amina_server: AminaServer, tmp_path: Path
) -> None:
    person = without_registration("7725000015")
    at(phone_page, PETROVKA)
    home = sign_in_by_card(phone_page, amina_server, "ru", person)
    place = home.locator("#home-registration")
    expect(place.locator("#home-registration-status")).to_have_text(
        translated("ru", "Not registered yet")
    )
    place.get_by_role("link", name=translated("ru", "Register your place of stay")).click()

    form = screen(phone_page, "register").locator("#form-register")
    expect(screen(phone_page, "register").get_by_role("heading", level=1)).to_have_text(
        translated("ru", "Register your place of stay")
    )
    fill_address(form, "ru", "ул. Петровка", "19", "5")
    use_current_location(form, "ru", PETROVKA)
    stay_to = moscow_today() + timedelta(days=120)
    fill_host_and_stay(form, "ru", stay_to)
    send(phone_page, "ru")

    registration = screen(phone_page, "registration")
    expect(registration.locator("#registration-status")).to_have_text(
        translated("ru", "Registration is active")
    )
    expect(phone_page.locator("#app-message")).to_have_text(
        translated("ru", "Your place of stay is registered. Show the slip code to your host.")
    )
    expect(registration.locator("#registration-address")).to_have_text(
        "Москва, ул. Петровка, д. 19, кв. 5"
    )
    expect(registration.locator("#registration-events li")).to_have_count(1)
    expect(registration.locator("#registration-events li").first).to_contain_text(
        translated("ru", "Registered in the app")
    )
    first_code = slip_code(phone_page)

    with phone_page.expect_download() as download:
        registration.get_by_role(
            "button", name=translated("ru", "Download the slip (A4, for printing)")
        ).click()
    slip = tmp_path / "slip.pdf"
    download.value.save_as(slip)
    assert slip.read_bytes().startswith(b"%PDF")
    assert download.value.suggested_filename.endswith(".pdf")
    assert "ул. Петровка" in pdf_text(slip)

    host_context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        host = host_context.new_page()
        expect(host_checks(host, amina_server, first_code)).to_have_text("Valid")
        expect(host.locator("#verification-result")).to_contain_text("ул. Петровка")

        # The person moves: the same form, filled in from the registration it replaces.
        registration.get_by_role("link", name=translated("ru", "Change of address")).click()
        changing = screen(phone_page, "register")
        expect(changing.get_by_role("heading", level=1)).to_have_text(
            translated("ru", "Change of address")
        )
        form = changing.locator("#form-register")
        expect(form.locator('[name="host.name"]')).to_have_value("Петров Пётр Петрович")
        expect(form.locator('[name="address.street"]')).to_have_value("ул. Петровка")
        expect(form.locator("#reg-locate-status")).to_have_text("")  # not carried over
        at(phone_page, DMITROVKA)
        form.locator('[name="address.street"]').fill("ул. Большая Дмитровка")
        form.locator('[name="address.house"]').fill("7")
        form.locator('[name="address.flat"]').fill("12")
        use_current_location(form, "ru", DMITROVKA)
        phone_page.get_by_role("button", name=translated("ru", "Continue to the check")).click()
        expect(phone_page.locator("#review-replaces")).to_have_text(
            translated(
                "ru",
                "Your current registration will close and its slip code will stop being valid.",
            )
        )
        phone_page.get_by_role("button", name=translated("ru", "Send the registration")).click()

        registration = screen(phone_page, "registration")
        expect(registration.locator("#registration-address")).to_have_text(
            "Москва, ул. Большая Дмитровка, д. 7, кв. 12"
        )
        expect(phone_page.locator("#app-message")).to_have_text(
            translated(
                "ru", "Your new address is registered. The old slip code is no longer valid."
            )
        )
        earlier = registration.locator("#registration-earlier-list li")
        expect(earlier).to_have_count(1)
        expect(earlier.first).to_contain_text(translated("ru", "Registration is closed"))
        expect(earlier.first).to_contain_text("ул. Петровка")
        new_code = slip_code(phone_page)
        assert new_code != first_code

        expect(host_checks(host, amina_server, first_code)).to_have_text("Not valid")
        expect(host_checks(host, amina_server, new_code)).to_have_text("Valid")
        expect(host.locator("#verification-result")).to_contain_text("ул. Большая Дмитровка")
    finally:
        host_context.close()


def test_a_problem_the_server_finds_is_shown_next_to_its_field_in_kyrgyz(
    phone_page: Page, amina_server: AminaServer
) -> None:
    person = without_registration("7725000031")
    at(phone_page, PETERSBURG)  # the person is not where they say they live
    home = sign_in_by_card(phone_page, amina_server, "ky", person)
    home.get_by_role("link", name=translated("ky", "Register your place of stay")).click()

    form = screen(phone_page, "register").locator("#form-register")
    fill_address(form, "ky", "ул. Петровка", "19", "5")
    use_current_location(form, "ky", PETERSBURG)
    fill_host_and_stay(form, "ky", moscow_today() + timedelta(days=60))
    send(phone_page, "ky")

    # Back on the form, with the server's problem next to the coordinates, in Kyrgyz.
    expect(form).to_be_visible()
    coordinates_error = form.locator('[data-field="address.lat"] > .field-error')
    message = translated(
        "ky", "The coordinates of this address lie outside Moscow and Moscow Oblast."
    )
    expect(coordinates_error).to_have_text(message)
    expect(form.get_by_role("alert")).to_contain_text(translated("ky", "The address is not valid"))
    assert "outside Moscow" not in form.inner_text()
    # Nothing was registered.
    home_link = screen(phone_page, "register").get_by_role(
        "link", name=translated("ky", "Back to my page")
    )
    home_link.click()
    expect(screen(phone_page, "home").locator("#home-registration-status")).to_have_text(
        translated("ky", "Not registered yet")
    )


@pytest.mark.parametrize(
    ("language", "number"),
    [("ru", "7725000035"), ("uz", "7725000011"), ("ka", "7725000013")],
    ids=["russian", "uzbek", "georgian"],
)
def test_a_person_registers_by_typing_part_of_the_street_and_choosing_the_address(
    phone_page: Page, amina_server: AminaServer, language: str, number: str
) -> None:
    """Issue 13: no coordinates to type. The suggestions come from the demo's extract of the
    state address register; the keyboard works as in any combobox; the review shows the
    address in words; "I am at this address now" adds the building's location later."""
    person = without_registration(number)
    home = sign_in_by_card(phone_page, amina_server, language, person)
    home.get_by_role("link", name=translated(language, "Register your place of stay")).click()
    form = screen(phone_page, "register").locator("#form-register")
    expect(form.locator('input[name="address.lat"], input[name="address.lon"]')).to_have_count(0)

    search = form.get_by_role("combobox", name=translated(language, "Find your address"))
    search.press_sequentially("тверск 1", delay=40)
    options = phone_page.get_by_role("listbox", name=translated(language, "Addresses found"))
    expect(options.get_by_role("option").first).to_have_text("Москва, ул. Тверская, д. 1")
    if language == "uz":  # the picture in docs/addresses.md
        docs_image(phone_page, "app-register-search-uz.png")
    expect(search).to_have_attribute("aria-expanded", "true")
    search.press("ArrowDown")
    search.press("ArrowDown")  # the second: house 10
    expect(options.get_by_role("option").nth(1)).to_have_attribute("aria-selected", "true")
    expect(search).to_have_attribute("aria-activedescendant", "reg-address-option-1")
    search.press("Escape")
    expect(options).to_be_hidden()

    search.fill("")
    search.press_sequentially("тверская 7", delay=40)
    options.get_by_role("option", name="Москва, ул. Тверская, д. 7").click()
    expect(form.locator('[name="address.street"]')).to_have_value("ул. Тверская")
    expect(form.locator('[name="address.house"]')).to_have_value("7")
    expect(form.locator('[name="address.settlement"]')).to_have_value("Москва")
    expect(form.get_by_label(translated(language, "Moscow"), exact=True)).to_be_checked()
    form.locator('[name="address.flat"]').fill("12")
    fill_host_and_stay(form, language, moscow_today() + timedelta(days=90))

    phone_page.get_by_role("button", name=translated(language, "Continue to the check")).click()
    review = phone_page.locator("#register-review")
    expect(review.locator("#review-address")).to_have_text("Москва, ул. Тверская, д. 7, кв. 12")
    expect(review.locator("#review-register")).to_have_text(
        translated(language, "Found in the state address register.")
    )
    expect(review.locator("#review-location")).to_have_text(
        translated(language, "Not given. You can add it later on your registration's page.")
    )
    assert not re.search(r"\d{2}\.\d{3}", review.inner_text())  # no coordinates as numbers
    assert_accessible(phone_page, f"the review step ({language})")
    if language == "ka":  # the picture in docs/addresses.md
        docs_image(phone_page, "app-register-review-ka.png")
    review.get_by_role("button", name=translated(language, "Send the registration")).click()

    registration = screen(phone_page, "registration")
    expect(registration.locator("#registration-status")).to_have_text(
        translated(language, "Registration is active")
    )
    expect(registration.locator("#registration-address")).to_have_text(
        "Москва, ул. Тверская, д. 7, кв. 12"
    )
    expect(registration.locator("#registration-location")).to_have_text(
        translated(language, "Not added yet.")
    )
    # Later, standing at the address, the person adds the building's location.
    at(phone_page, DMITROVKA)
    card_ = registration.locator("#registration-locate")
    card_.get_by_role(
        "button", name=translated(language, "I am at this address now — use my location")
    ).click()
    expect(registration.locator("#registration-location")).to_have_text(
        translated(language, "Your phone's location is saved as the building's location.")
    )
    expect(card_).to_be_hidden()
    expect(registration.locator("#registration-events li").first).to_contain_text(
        translated(language, "You added the building's location")
    )
    assert_accessible(phone_page, f"the registration with its slip code ({language})")


def _night_fixes(nights_ago: int, where: dict[str, float]) -> list[dict[str, object]]:
    """Four fixes at 02:00–03:00 Moscow time, ``nights_ago`` nights back."""
    night = datetime.combine(moscow_today() - timedelta(days=nights_ago), time(2), MOSCOW)
    return [
        {
            "client_id": uuid.uuid4().hex,
            "device_time": (night + timedelta(minutes=minutes)).isoformat(),
            "lat": where["latitude"],
            "lon": where["longitude"],
            "accuracy_m": where["accuracy"],
            "provider": "gps",
            "mocked": False,
        }
        for minutes in (0, 20, 40, 60)
    ]


@pytest.mark.parametrize(
    ("language", "number"),
    [("ru", "7725000018"), ("uz", "7725000021"), ("ka", "7725000024")],
    ids=["russian", "uzbek", "georgian"],
)
def test_after_three_nights_at_one_place_the_app_asks_whether_it_is_home_and_saves_it_on_yes(
    phone_page: Page, amina_server: AminaServer, language: str, number: str
) -> None:
    """Issue 13, point 1(b): registered by the address's words only, the person is asked —
    once the phone has spent three nights at one place — whether that place is home; "yes"
    saves it as the building's location, and nothing is stored before."""
    person = without_registration(number)
    sign_in_by_card(phone_page, amina_server, language, person)
    session = phone_page.evaluate(
        "() => [localStorage.getItem('amina.access_token'), "
        "localStorage.getItem('amina.device_credential')]"
    )
    http = httpx.Client(base_url=amina_server.url, timeout=15)
    today = moscow_today()
    registered = http.post(
        "/api/v1/me/registrations",
        headers={"Authorization": f"Bearer {session[0]}"},
        json={
            "address": {
                "region": "RU-MOW",
                "settlement": "Москва",
                "street": "ул. Петровка",
                "house": "20",
                "building": None,
                "flat": "3",
                "fias_id": None,
                "lat": None,
                "lon": None,
            },
            "host": {"kind": "person", "name": "Петров Пётр Петрович", "document": "4512 345678"},
            "stay_from": today.isoformat(),
            "stay_to": (today + timedelta(days=90)).isoformat(),
            "purpose": "work",
            "dependants": [],
        },
    )
    assert registered.status_code == 201, registered.text
    for nights_ago in (1, 2, 3):  # the phone slept at Petrovka 20
        sent = http.post(
            "/api/v1/reports",
            json={"reports": _night_fixes(nights_ago, PETROVKA)},
            headers={"Authorization": f"Device {session[1]}"},
        )
        assert sent.status_code == 200, sent.text

    phone_page.goto(amina_server.url + "/app#registration")
    registration = screen(phone_page, "registration")
    question = registration.locator("#registration-night")
    expect(question.locator("#registration-night-text")).to_have_text(
        translated(
            language,
            "Your phone was at the same place on %(nights)s nights. Is this place your home "
            "at this address?",
            nights="3",
        )
    )
    expect(registration.locator("#registration-location")).to_have_text(
        translated(language, "Not added yet.")
    )
    assert_accessible(phone_page, f"the night-place question ({language})")
    if language == "ru":  # the picture in docs/addresses.md
        docs_image(phone_page, "app-night-place-ru.png")

    question.get_by_role("button", name=translated(language, "Yes, this is my home")).click()
    expect(registration.locator("#registration-location")).to_have_text(
        translated(
            language,
            "Thank you. The place where your phone stays at night is saved as the building's "
            "location.",
        )
    )
    expect(question).to_be_hidden()
