"""Jinja2 pages with gettext: one environment overlay per language, built once."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from amina.adapters.web.context import LANGUAGE_COOKIE, container_of, language_of
from amina.i18n import LANGUAGE_NAMES, LANGUAGES, Translator

TEMPLATES = Path(__file__).parent / "templates"


class Pages:
    def __init__(self) -> None:
        self._envs: dict[str, Environment] = {}
        for language in LANGUAGES:
            # One environment per language, not overlays of one: overlays share the parent's
            # globals and i18n extension, so the last language's gettext would serve them all.
            env = Environment(
                loader=FileSystemLoader(TEMPLATES),
                autoescape=select_autoescape(["html", "xml"]),
                extensions=["jinja2.ext.i18n"],
                trim_blocks=True,
                lstrip_blocks=True,
            )
            # jinja2.ext.i18n adds this method at run time; Environment's types do not have it
            env.install_gettext_translations(  # type: ignore[attr-defined]
                Translator(language).gnu_translations, newstyle=True
            )
            self._envs[language] = env

    def render(
        self, request: Request, name: str, status_code: int = 200, **context: Any
    ) -> HTMLResponse:
        language = language_of(request)
        translator = Translator(language)
        template = self._envs[language].get_template(name)
        html = template.render(
            request=request,
            lang=language,
            languages=LANGUAGES,
            language_names=LANGUAGE_NAMES,
            t=translator,
            lang_url=lambda code: _language_url(request, code),
            **context,
        )
        response = HTMLResponse(html, status_code=status_code)
        response.headers["Content-Language"] = language
        explicit = request.query_params.get("lang")
        if explicit and explicit == language:
            response.set_cookie(
                LANGUAGE_COOKIE,
                language,
                max_age=365 * 24 * 3600,
                samesite="lax",
                httponly=False,
                secure=container_of(request).settings.secure_cookies,
            )
        return response


def _language_url(request: Request, language: str) -> str:
    """The current page in another language, keeping the rest of the query (e.g. ``?code=``)."""
    query = {k: v for k, v in request.query_params.items() if k != "lang"}
    query["lang"] = language
    return "?" + urlencode(query)
