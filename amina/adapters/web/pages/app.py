"""The person's app: an installable web app (PWA) at ``/app``.

One HTML shell, rendered in the chosen language, holds every screen as a section; small ES
modules under ``/static/app/`` drive it and speak only the public API (API.md). The texts the
scripts show are rendered into the shell from the ``app`` catalog, so no script carries English.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib.metadata import version as package_version
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from amina.adapters.web.context import language_of
from amina.i18n import BABEL_LOCALES, N_, NP_, Translator

router = APIRouter(include_in_schema=False)

STATIC = Path(__file__).resolve().parent.parent / "static"
APP_STATIC = STATIC / "app"

#: Citizenships offered first in the passport sign-in (SPEC §3: the covered countries and Belarus).
COMMON_CITIZENSHIPS = ("UZ", "TJ", "KG", "AM", "KZ", "GE", "AZ", "MD", "UA", "BY")

#: CLDR territories that are not countries a passport is issued by.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB", "XK", "AQ", "BV", "HM"})

#: The app's theme colour (manifest, ``theme-color`` meta); app.css uses the same value.
THEME_COLOUR = "#1d4f91"
BACKGROUND_COLOUR = "#ffffff"


def _countries(translator: Translator) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(common, others): (code, name in the person's language), others sorted by name."""
    territories = translator.locale.territories
    common = [(code, territories.get(code, code)) for code in COMMON_CITIZENSHIPS]
    others = sorted(
        (
            (code, name)
            for code, name in territories.items()
            if len(code) == 2
            and code.isalpha()
            and code not in _NOT_COUNTRIES
            and code not in COMMON_CITIZENSHIPS
        ),
        key=lambda item: item[1].casefold(),
    )
    return common, others


def _months(translator: Translator) -> list[str]:
    names = translator.locale.months["stand-alone"]["wide"]
    return [str(names[number]) for number in range(1, 13)]


#: The home screen's reporting card, with the interval the app learns from the server.
SENDING_DETAIL = NP_(
    "While the app is open, it sends your location every minute. Open it at least once a day.",
    "While the app is open, it sends your location every %(minutes)s minutes. Open it at least "
    "once a day.",
    count="minutes",
)


@cache
def release_number() -> str:
    """The release a person can read ("0.1.0"): what the phone reports as its app version."""
    return package_version("amina")


@cache
def assets_version() -> str:
    """A digest of every file the service worker caches: a new release gets a new cache."""
    digest = hashlib.sha256()
    for path in sorted([*APP_STATIC.rglob("*"), STATIC / "amina.css"]):
        if path.is_file():
            digest.update(path.relative_to(STATIC).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _asset_urls() -> list[str]:
    return sorted(
        "/static/" + path.relative_to(STATIC).as_posix()
        for path in [*APP_STATIC.rglob("*"), STATIC / "amina.css"]
        if path.is_file()
        and path.suffix in {".js", ".css", ".png", ".svg"}
        and path.name != "sw.js"
    )


@router.get("/app", response_class=HTMLResponse)
def app_shell(request: Request) -> HTMLResponse:
    """The app shell: every screen, in the language chosen (``?lang=``, cookie or browser)."""
    translator = Translator(language_of(request))
    common, others = _countries(translator)
    response: HTMLResponse = request.app.state.pages.render(
        request,
        "app/shell.html",
        common_countries=common,
        other_countries=others,
        months=_months(translator),
        bcp47=BABEL_LOCALES[translator.language].replace("_", "-"),
        theme_colour=THEME_COLOUR,
        version=assets_version(),
        release=release_number(),
        sending_detail=translator.plural_choice(SENDING_DETAIL, minutes="{minutes}"),
    )
    # The service worker keeps its own copy for offline start; the browser must ask each time.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


@router.get("/app/inbox")
def inbox() -> RedirectResponse:
    """Where a web push notification opens the app (``services.inbox.INBOX_URL``): the inbox."""
    return RedirectResponse("/app#inbox", status_code=303)


@router.get("/app/check-in")
def check_in() -> RedirectResponse:
    """Where the evening push opens the app (``services.check_in.messages.CHECK_IN_URL``): the
    home screen, which sends one location fix and says so."""
    return RedirectResponse("/app#check-in", status_code=303)


@router.get("/app/booking")
def booking() -> RedirectResponse:
    """The booking screen (visits to the migration centre): other features link here."""
    return RedirectResponse("/app#booking", status_code=303)


@router.get("/app/manifest.webmanifest")
def manifest(request: Request) -> Response:
    translator = Translator(language_of(request))
    icons = "/static/app/icons/"
    body = {
        "id": "/app",
        "name": "Amina",
        "short_name": "Amina",
        "description": translator.gettext(
            N_("Registration of your place of stay in Moscow and Moscow Oblast")
        ),
        "lang": translator.language,
        "dir": "ltr",
        "start_url": "/app",
        "scope": "/app",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": icons + "icon-192.png", "sizes": "192x192", "type": "image/png"},
            {"src": icons + "icon-512.png", "sizes": "512x512", "type": "image/png"},
            {
                "src": icons + "icon-maskable-512.png",
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
            {"src": icons + "icon.svg", "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return Response(
        json.dumps(body, ensure_ascii=False),
        media_type="application/manifest+json",
        headers={"Cache-Control": "no-cache", "Vary": "Accept-Language, Cookie"},
    )


@router.get("/app/sw.js")
def service_worker() -> Response:
    """The service worker, allowed to control ``/app`` itself (not only ``/app/...``)."""
    source = (APP_STATIC / "sw.js").read_text(encoding="utf-8")
    source = source.replace("__VERSION__", assets_version()).replace(
        "__ASSETS__", json.dumps(_asset_urls())
    )
    return Response(
        source,
        media_type="text/javascript",
        headers={"Service-Worker-Allowed": "/app", "Cache-Control": "no-cache"},
    )
