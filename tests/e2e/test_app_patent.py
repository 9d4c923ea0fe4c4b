"""Paying the work patent in the person's app (issue 11, point 10), in Chromium at a phone's
size: a demo person whose patent is paid until 3 days from today sees the warning, pays two
months in the sandbox checkout, comes back to the new paid-until date in big letters, and
downloads the receipt (a PDF in the person's language and Russian with the exact amount)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from axe_support import assert_accessible
from harness import AminaServer
from playwright.sync_api import Page, expect
from test_person_app import card, screen, sign_in_by_card, translated

from amina.adapters.clock import SystemClock
from amina.domain.calendar import moscow_date
from amina.domain.patent import SEED_TARIFFS, Region, TariffBook

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

#: Demo patent paid until 3 days from today (amina/demo/patents.py).
DUE_IN_THREE_DAYS = "7725000004"


def _roubles(amount: int) -> str:
    return f"{amount:,}".replace(",", "\u00a0")


def test_a_person_pays_two_months_in_the_sandbox_gets_the_receipt_and_sees_the_new_date(
    phone_page: Page, amina_server: AminaServer, tmp_path: Path
) -> None:
    today = moscow_date(SystemClock().now())
    monthly = int(TariffBook(SEED_TARIFFS).on(Region.moscow, today).amount)
    home = sign_in_by_card(phone_page, amina_server, "ru", card(DUE_IN_THREE_DAYS))

    warning = home.locator("#home-patent-soon")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(translated("ru", "Book a visit to the MMC"))
    home.get_by_role("link", name=translated("ru", "My patent and payments")).click()

    patent = screen(phone_page, "patent")
    old_until = patent.locator("#patent-until").inner_text()
    expect(patent.locator("#patent-days")).to_have_text(
        translated("ru", "Days left: %(days)s", days="4")
    )
    patent.locator('input[name="months"][value="2"]').check()
    expect(patent.locator("#patent-total")).to_have_text(
        translated("ru", "To pay: %(amount)s RUB", amount=_roubles(2 * monthly))
    )
    promised = patent.locator("#patent-new-until").inner_text()
    patent.get_by_role("button", name=translated("ru", "Go to payment")).click()

    phone_page.wait_for_url("**/sandbox/checkout/**")
    expect(phone_page.locator("#sandbox-amount")).to_contain_text(_roubles(2 * monthly))
    checkout = phone_page.url
    for language in ("uz", "ka", "ru"):  # the sandbox's page, as the person may read it
        phone_page.goto(f"{checkout}?lang={language}")
        expect(phone_page.locator("html")).to_have_attribute("lang", language)
        assert_accessible(phone_page, f"the sandbox checkout ({language})")
    phone_page.locator('button[name="outcome"][value="pay"]').click()

    patent = screen(phone_page, "patent")
    new_until = patent.locator("#patent-until")
    expect(new_until).not_to_have_text(old_until)
    sentence = translated("ru", "Your patent will be paid until %(date)s.", date="|")
    before, after = sentence.split("|")
    promised_date = promised[len(before) :].removesuffix(after).removesuffix(".")  # "2027 г."
    expect(new_until).to_contain_text(translated("ru", "Paid until %(date)s", date=promised_date))
    history = patent.locator("#patent-history li")
    expect(history).to_have_count(1)
    expect(history.first).to_contain_text(translated("ru", "Paid"))
    assert_accessible(phone_page, "the patent screen with a payment (ru)")

    with phone_page.expect_download() as download:
        history.first.get_by_role("button", name=translated("ru", "Receipt (PDF)")).click()
    receipt = tmp_path / "receipt.pdf"
    download.value.save_as(receipt)
    text = subprocess.run(
        ["pdftotext", "-layout", str(receipt), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "Патент на работу: квитанция об оплате" in " ".join(text.split())
    assert _roubles(2 * monthly).replace("\u00a0", " ") in text.replace("\u00a0", " ")
    assert "18210102040011000110" in text
