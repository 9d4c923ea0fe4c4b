"""The app's registration, inbox, notice and decision screens come in the person's language,
with every text their scripts show rendered into the page, and calendar dates written the way
the language writes them (SQLite and PostgreSQL, through the ASGI app)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from amina.i18n import LANGUAGES, Translator


def block(html: str, block_id: str) -> Any:
    found = re.search(
        rf'<script type="application/json" id="{block_id}">(.*?)</script>', html, re.S
    )
    assert found, f"the page carries no {block_id} block"
    return json.loads(found.group(1))


def texts(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [text for value in node.values() for text in texts(value)]
    return []


@pytest.mark.parametrize("language", ["hy", "kk", "uz"])
def test_the_registration_and_notice_screens_speak_the_persons_language(
    client: TestClient, language: str
) -> None:
    html = client.get("/app", params={"lang": language}).text
    t = Translator(language)

    for screen in ("registration", "register", "inbox", "notice", "decision"):
        assert f'id="screen-{screen}"' in html
    for message in (
        "Register your place of stay",
        "Find your address",
        "I am at this address now — use my location",
        "Check before sending",
        "I still live here — confirm",
        "I moved — change address",
        "Object to this decision",
    ):
        assert t.gettext(message) != message
        assert t.gettext(message) in html
        assert message not in html


def test_the_scripts_texts_are_all_translated_with_their_placeholders_left_to_fill(
    client: TestClient,
) -> None:
    html = client.get("/app", params={"lang": "ky"}).text
    registration = block(html, "app-strings-registration")
    notices = block(html, "app-strings-notices")
    t = Translator("ky")

    assert registration["status"]["active"] == t.gettext("Registration is active")
    assert notices["notice_status"]["open"] == t.gettext("Waiting for your answer")
    assert notices["answer_by"] == t.gettext("Answer by %(date)s", date="{date}")
    assert "{date}" in notices["answer_by"]
    untranslated = [
        text
        for text in texts({**registration, "date": {}}) + texts(notices)
        if re.search(r"[A-Za-z]{4}", re.sub(r"\{\w+\}", "", text))
    ]
    assert not untranslated, f"English left for the scripts: {untranslated}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_calendar_dates_are_written_from_the_languages_own_pattern_and_month_names(
    client: TestClient, language: str
) -> None:
    dates = block(client.get("/app", params={"lang": language}).text, "app-strings-registration")[
        "date"
    ]
    locale = Translator(language).locale

    assert dates["pattern"] == locale.date_formats["long"].pattern
    assert dates["months"] == [locale.months["format"]["wide"][n] for n in range(1, 13)]


def test_a_push_notification_opens_the_inbox(client: TestClient) -> None:
    answer = client.get("/app/inbox", follow_redirects=False)

    assert answer.status_code == 303
    assert answer.headers["location"] == "/app#inbox"


def test_the_installed_app_keeps_the_new_screens_scripts_and_styles_for_offline_start(
    client: TestClient,
) -> None:
    source = client.get("/app/sw.js").text
    assets = json.loads(re.search(r"const ASSETS = (\[.*?\]);", source, re.S).group(1))  # type: ignore[union-attr]

    for asset in (
        "/static/app/registration.js",
        "/static/app/notices.js",
        "/static/app/registration.css",
        "/static/app/notices.css",
    ):
        assert asset in assets
        assert client.get(asset).status_code == 200
