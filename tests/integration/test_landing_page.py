"""The public landing page at / and the language a visitor gets (issue 2, point 8)."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from amina.adapters.web.pages.landing import CHECKER_TEXTS
from amina.domain.eligibility import Category
from amina.domain.policy import INITIAL_POLICY_DOCUMENT
from amina.i18n import LANGUAGES

#: The page's headline as a reader of each language must see it.
HEADLINES = {
    "ru": "Регистрация по месту пребывания",
    "uz": "Turgan joy boʻyicha roʻyxatga olish",
    "tg": "Бақайдгирӣ дар ҷои будубош",
    "ky": "Турган жери боюнча каттоо",
    "hy": "Գտնվելու վայրում հաշվառում",
    "kk": "Болатын жері бойынша тіркеу",
    "ka": "ყოფნის ადგილის მიხედვით რეგისტრაცია",
    "az": "Olduğu yer üzrə qeydiyyat",
    "ro": "Înregistrarea la locul de ședere",
    "uk": "Реєстрація за місцем перебування",
    "en": "Registration of the place of stay",
}
ENGLISH_HEADLINE = HEADLINES["en"]


def _html_lang(html: str) -> str:
    match = re.search(r'<html lang="([^"]+)">', html)
    assert match, "the page has no <html lang> attribute"
    return match.group(1)


def _h1(html: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert match, "the page has no h1"
    return match.group(1).strip()


def test_the_landing_page_is_written_in_each_of_the_eleven_languages(client: TestClient) -> None:
    assert set(HEADLINES) == set(LANGUAGES)
    for language, headline in HEADLINES.items():
        response = client.get("/", params={"lang": language})
        assert response.status_code == 200
        html = response.text
        assert _html_lang(html) == language, language
        assert _h1(html) == headline, language
        assert response.headers["content-language"] == language
        if language != "en":
            assert ENGLISH_HEADLINE not in html, f"English headline left on the {language} page"


def test_choosing_a_language_with_lang_is_remembered_in_a_cookie(client: TestClient) -> None:
    first = client.get("/", params={"lang": "ka"}, headers={"Accept-Language": "en"})
    assert _html_lang(first.text) == "ka"
    assert "amina_lang=ka" in first.headers["set-cookie"]

    later = client.get("/", headers={"Accept-Language": "en"})  # the client sends the cookie back
    assert _html_lang(later.text) == "ka"
    assert _h1(later.text) == HEADLINES["ka"]


def test_the_language_switcher_links_every_language_and_marks_the_current_one(
    client: TestClient,
) -> None:
    html = client.get("/", params={"lang": "hy"}).text
    for language in LANGUAGES:
        assert f'href="?lang={language}"' in html, language
    assert re.search(r'<a href="\?lang=hy"[^>]*aria-current="true"', html)
    assert len(re.findall(r"aria-current=", html)) == 1


def test_accept_language_uz_uz_gives_the_uzbek_page(client: TestClient) -> None:
    response = client.get("/", headers={"Accept-Language": "uz-UZ,uz;q=0.9"})
    assert _html_lang(response.text) == "uz"
    assert _h1(response.text) == HEADLINES["uz"]


def test_an_unsupported_language_gets_the_russian_page(client: TestClient) -> None:
    by_header = client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9,de;q=0.5"})
    assert _html_lang(by_header.text) == "ru"
    assert _h1(by_header.text) == HEADLINES["ru"]

    by_choice = client.get("/", params={"lang": "fr"}, headers={"Accept-Language": "fr"})
    assert _html_lang(by_choice.text) == "ru"
    assert "amina_lang" not in by_choice.headers.get("set-cookie", "")


def test_a_problem_title_is_translated_and_names_its_language(client: TestClient) -> None:
    titles = {}
    for language in ("ru", "hy", "en"):
        response = client.post(
            "/api/v1/eligibility/evaluate",
            json={"citizenship": "TJ"},
            headers={"Accept-Language": language},
        )
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.headers["content-language"] == language
        titles[language] = response.json()["title"]
    assert titles["en"] == "Some fields are not valid"
    assert len(set(titles.values())) == 3, titles


def test_the_landing_page_says_who_must_use_amina_who_is_exempt_and_links_on(
    client: TestClient,
) -> None:
    html = client.get("/", params={"lang": "en"}).text
    for fact in (
        "From 1 September 2025",
        "Uzbekistan, Tajikistan, Kyrgyzstan, Armenia, Kazakhstan, Georgia, Azerbaijan, "
        "Moldova and Ukraine",
        "From 1 September 2026",
        "for more than 90 days for a purpose other than work",
        "Citizens of Belarus.",
        "Children under 18.",
        "Diplomats and members of their families.",
        "Staff of international organisations.",
        "more than three working days",
        "no longer file arrival notifications",
    ):
        assert fact in html, fact
    assert 'href="/app"' in html
    assert 'href="/verify"' in html
    for landmark in ("<header", "<main", "<footer", "<nav"):
        assert landmark in html, landmark


def test_the_eligibility_checker_speaks_the_page_language(client: TestClient) -> None:
    html = client.get("/", params={"lang": "tg"}).text
    assert 'id="eligibility-form"' in html
    assert 'action="/api/v1/eligibility/evaluate"' in html
    assert '<option value="TJ" selected>Тоҷикистон</option>' in html  # a Tajik reader's country
    texts = json.loads(
        re.search(
            r'<script type="application/json" id="eligibility-texts">(.*?)</script>', html, re.S
        ).group(1)  # type: ignore[union-attr]
    )
    assert texts["status.required"] == "Бале, шумо бояд аз барномаи Амина истифода баред."
    assert client.get("/static/landing.js").status_code == 200


def test_the_checker_explains_every_answer_the_eligibility_rules_can_give() -> None:
    rules = {rule["id"] for rule in INITIAL_POLICY_DOCUMENT["eligibility_rules"]}
    reasons = {"exempt_citizenship", "exempt_minor", "no_rule_applies"} | {
        f"exempt_{category.value}" for category in Category if category is not Category.none
    }
    for rule in rules:
        assert f"rule.{rule}" in CHECKER_TEXTS, rule
    for reason in reasons:
        assert f"reason.{reason}" in CHECKER_TEXTS, reason
