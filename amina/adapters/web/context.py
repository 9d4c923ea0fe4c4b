"""Per-request context: the composition root's container and the request's language."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Request

from amina.i18n import Translator, negotiate, normalise_language

if TYPE_CHECKING:
    from amina.bootstrap import Container

LANGUAGE_COOKIE = "amina_lang"


def container_of(request: Request) -> Container:
    container: Container = request.app.state.container  # Starlette's State is untyped
    return container


def language_of(request: Request) -> str:
    """The saved language of the signed-in person wins (set on ``request.state``), then an
    explicit choice (``?lang=`` or the language cookie), then ``Accept-Language``."""
    saved = getattr(request.state, "language", None)
    if saved:
        return str(saved)
    explicit = normalise_language(request.query_params.get("lang")) or normalise_language(
        request.cookies.get(LANGUAGE_COOKIE)
    )
    return explicit or negotiate(request.headers.get("accept-language"))


def translator_for(request: Request) -> Translator:
    return Translator(language_of(request))
