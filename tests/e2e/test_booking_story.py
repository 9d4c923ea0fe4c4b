"""Booking a visit to the migration centre (issue 12, point 10), in Chromium: a person books a
time in the app in Kyrgyz (the time is held, then confirmed), gets the ticket with its QR and
the PDF in Kyrgyz and Russian, moves the visit to another time, and an operator checks the
ticket in at the console by typing its code; the day's load is drawn as a picture."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from harness import AminaServer, TotpCodes
from playwright.sync_api import Browser, Page, expect
from test_person_app import card, operator_signs_in, screen, sign_in_by_card, translated

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

#: A demo card holder no other browser test signs in with, and who has no demo visit.
PERSON = "7725000008"


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_a_person_books_gets_the_ticket_moves_it_and_is_checked_in_at_the_console(
    phone_page: Page,
    browser: Browser,
    amina_server: AminaServer,
    totp: TotpCodes,
    tmp_path: Path,
) -> None:
    home = sign_in_by_card(phone_page, amina_server, "ky", card(PERSON))
    visits = home.locator("#home-booking")
    expect(visits.locator("#home-booking-next")).to_have_text(
        translated("ky", "You have no visit booked.")
    )
    visits.get_by_role("link", name=translated("ky", "My visits")).click()
    screen(phone_page, "booking").get_by_role("link", name=translated("ky", "Book a visit")).click()

    form = screen(phone_page, "booking-new")
    form.get_by_label(translated("ky", "Service")).select_option("biometrics")
    times = form.locator("#booking-times button")
    expect(times.first).to_be_visible()
    first_time = times.first.inner_text()
    times.first.click()
    hold = form.locator("#booking-hold")
    expect(hold).to_contain_text(first_time)
    hold.get_by_role("button", name=translated("ky", "Confirm the visit")).click()

    ticket = screen(phone_page, "booking-ticket")
    expect(phone_page.locator("#app-message")).to_have_text(
        translated("ky", "Your visit is booked.")
    )
    code = ticket.locator("#ticket-code")
    expect(code).to_have_text(re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}$"))
    ticket_code = code.inner_text()
    expect(ticket.locator("#ticket-qr svg")).to_be_visible()
    expect(ticket.locator("#ticket-when")).to_contain_text(first_time)
    expect(ticket.locator("#ticket-documents li").first).to_be_visible()

    with phone_page.expect_download() as download:
        ticket.get_by_role("button", name=translated("ky", "Download the ticket (PDF)")).click()
    pdf = tmp_path / "ticket.pdf"
    download.value.save_as(pdf)
    text = pdf_text(pdf)
    assert ticket_code in text
    assert "Талон" in text  # Kyrgyz and Russian
    assert "Сахарово" in text

    ticket.get_by_role("button", name=translated("ky", "Move to another time")).click()
    form = screen(phone_page, "booking-new")
    expect(form.get_by_label(translated("ky", "Service"))).to_be_disabled()
    later = form.locator("#booking-times button").nth(3)
    later_time = later.inner_text()
    later.click()
    ticket = screen(phone_page, "booking-ticket")
    expect(phone_page.locator("#app-message")).to_have_text(
        translated("ky", "Your visit is moved.")
    )
    expect(ticket.locator("#ticket-when")).to_contain_text(later_time)
    expect(ticket.locator("#ticket-code")).to_have_text(ticket_code)

    console = browser.new_page(viewport={"width": 1280, "height": 900})
    operator_signs_in(console, amina_server, totp)
    console.goto(f"{amina_server.url}/console/booking?lang=en")
    console.get_by_label("Ticket code").fill(ticket_code.lower().replace("-", " "))
    console.get_by_role("button", name="Find the visit").click()
    visit = console.locator("#visit")
    expect(visit).to_contain_text(later_time)
    expect(visit).to_have_attribute("data-status", "confirmed")
    visit.get_by_role("button", name="Check in").click()
    expect(console.locator("#visit")).to_have_attribute("data-status", "checked_in")
    expect(console.locator("#load-picture")).to_be_visible()
    console.close()

    phone_page.goto(f"{amina_server.url}/app/booking")
    expect(screen(phone_page, "booking").locator(".booking-item [data-status]").first).to_have_text(
        translated("ky", "Checked in")
    )
