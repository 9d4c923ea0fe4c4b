"""The landing page speaks the reader's language: Russian, Uzbek (Latin) and Armenian."""

from __future__ import annotations

import pytest
from harness import AminaServer
from playwright.sync_api import Page, expect

from amina.i18n import Translator

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

HEADLINE = "Registration of the place of stay"
OPEN_APP = "Open the Amina app"
WHO_MUST = "Who must use Amina"


def translated(language: str, message: str) -> str:
    text = Translator(language).gettext(message)
    assert text != message, f"{message!r} has no {language} translation"
    return text


@pytest.mark.parametrize(
    ("language", "headline"),
    [
        ("ru", "Регистрация по месту пребывания"),
        ("uz", "Turgan joy boʻyicha roʻyxatga olish"),
        ("hy", "Գտնվելու վայրում հաշվառում"),
    ],
    ids=["ru", "uz", "hy"],
)
def test_the_landing_page_is_in_the_chosen_language(
    page: Page, amina_server: AminaServer, language: str, headline: str
) -> None:
    page.goto(f"{amina_server.url}/?lang={language}")

    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", level=1)).to_have_text(headline)
    assert translated(language, HEADLINE) == headline
    expect(page.get_by_role("link", name=translated(language, OPEN_APP)).first).to_be_visible()
    expect(page.get_by_role("heading", name=translated(language, WHO_MUST))).to_be_visible()
    expect(page.get_by_text(HEADLINE, exact=True)).to_have_count(0)


def test_a_browser_asking_for_uzbek_gets_uzbek_without_choosing(
    page: Page, amina_server: AminaServer
) -> None:
    page.set_extra_http_headers({"Accept-Language": "uz-Latn-UZ,uz;q=0.9,ru;q=0.5"})
    page.goto(amina_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(translated("uz", HEADLINE))


def test_the_language_switcher_changes_the_language_and_it_is_remembered(
    page: Page, amina_server: AminaServer
) -> None:
    page.goto(f"{amina_server.url}/?lang=ru")
    expect(page.get_by_role("heading", level=1)).to_have_text(translated("ru", HEADLINE))

    page.locator('nav.languages a[hreflang="hy"]').click()

    expect(page.locator("html")).to_have_attribute("lang", "hy")
    expect(page.get_by_role("heading", level=1)).to_have_text(translated("hy", HEADLINE))
    page.goto(amina_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(translated("hy", HEADLINE))


def test_the_landing_page_fits_a_phone(phone_page: Page, amina_server: AminaServer) -> None:
    phone_page.goto(f"{amina_server.url}/?lang=uz")
    expect(phone_page.get_by_role("heading", level=1)).to_be_visible()
    overflow = phone_page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
