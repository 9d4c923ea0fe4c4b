"""The person's app is installable and speaks the person's language: the shell at /app, its
manifest, its service worker and its icons (SQLite and PostgreSQL, through the ASGI app)."""

from __future__ import annotations

import json
import re
import struct

import pytest
from fastapi.testclient import TestClient

from amina.i18n import LANGUAGES, Translator


def strings_of(html: str) -> dict[str, object]:
    found = re.search(
        r'<script type="application/json" id="app-strings">(.*?)</script>', html, re.S
    )
    assert found, "the page carries no texts for its scripts"
    return json.loads(found.group(1))  # type: ignore[no-any-return]


def png_size(body: bytes) -> tuple[int, int]:
    assert body[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", body[16:24])
    return width, height


@pytest.mark.parametrize("language", ["ka", "tg", "hy"])
def test_the_app_comes_in_the_language_the_person_chose(client: TestClient, language: str) -> None:
    response = client.get("/app", params={"lang": language})

    assert response.status_code == 200
    assert response.headers["content-language"] == language
    html = response.text
    assert f'<html lang="{language}"' in html
    t = Translator(language)
    for message in ("Choose your language", "Sign in with your card", "I lost my card"):
        assert t.gettext(message) != message
        assert t.gettext(message) in html
        assert message not in html
    # The choice is remembered for the next visit (and for the installed app's start).
    assert f"amina_lang={language}" in response.headers["set-cookie"]


def test_the_scripts_messages_are_rendered_into_the_page_in_the_persons_language(
    client: TestClient,
) -> None:
    strings = strings_of(client.get("/app", params={"lang": "ky"}).text)

    t = Translator("ky")
    assert strings["network"] == t.gettext("No connection. Check the internet and try again.")
    assert strings["network"] != "No connection. Check the internet and try again."
    # Placeholders are left for the script to fill in.
    assert strings["retry_in"] == t.gettext("You can try again in %(time)s.", time="{time}")
    assert "{time}" in str(strings["retry_in"])


def test_the_passport_sign_in_offers_the_covered_countries_first_in_the_persons_language(
    client: TestClient,
) -> None:
    html = client.get("/app", params={"lang": "uz"}).text

    select = re.search(r'<select id="passport-citizenship".*?</select>', html, re.S)
    assert select
    codes = re.findall(r'<option value="([A-Z]{2})">', select.group(0))
    assert codes[:10] == ["UZ", "TJ", "KG", "AM", "KZ", "GE", "AZ", "MD", "UA", "BY"]
    assert len(codes) > 200
    assert len(codes) == len(set(codes))
    assert '<option value="TJ">Tojikiston</option>' in select.group(0)


def test_the_manifest_makes_the_app_installable_at_app(client: TestClient) -> None:
    response = client.get("/app/manifest.webmanifest", params={"lang": "ru"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["start_url"] == "/app"
    assert manifest["scope"] == "/app"
    assert manifest["display"] == "standalone"
    assert manifest["short_name"] == "Amina"
    assert manifest["theme_color"].startswith("#")
    assert manifest["lang"] == "ru"
    assert manifest["description"] == Translator("ru").gettext(
        "Registration of your place of stay in Moscow and Moscow Oblast"
    )
    sizes = {}
    for icon in manifest["icons"]:
        if icon["type"] != "image/png":
            continue
        body = client.get(icon["src"]).content
        sizes[(icon["sizes"], icon.get("purpose", "any"))] = png_size(body)
    assert sizes == {
        ("192x192", "any"): (192, 192),
        ("512x512", "any"): (512, 512),
        ("512x512", "maskable"): (512, 512),
    }


def test_the_service_worker_may_control_the_app_and_caches_only_what_exists(
    client: TestClient,
) -> None:
    response = client.get("/app/sw.js")

    assert response.status_code == 200
    assert response.headers["service-worker-allowed"] == "/app"
    assert "javascript" in response.headers["content-type"]
    source = response.text
    assert "__VERSION__" not in source
    assets = json.loads(re.search(r"const ASSETS = (\[.*?\]);", source, re.S).group(1))  # type: ignore[union-attr]
    assert "/static/app/app.js" in assets
    assert "/static/amina.css" in assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def test_the_shell_links_every_module_it_needs_and_each_exists(client: TestClient) -> None:
    html = client.get("/app").text

    for path in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert client.get(path).status_code == 200, path
    modules = client.get("/static/app/app.js").text
    for module in re.findall(r'from "\./([\w-]+\.js)"', modules):
        assert client.get(f"/static/app/{module}").status_code == 200, module


def test_every_language_has_the_app(client: TestClient) -> None:
    for language in LANGUAGES:
        response = client.get("/app", params={"lang": language})
        assert response.status_code == 200
        assert response.headers["content-language"] == language
