"""ASGI entry point for uvicorn (``amina.entrypoints.asgi:app_factory``, factory mode).

Settings come from the environment (``amina serve`` sets ``AMINA_*`` variables for its
workers), so every worker builds the same container.
"""

from __future__ import annotations

from fastapi import FastAPI

from amina.adapters.web.app import create_app
from amina.adapters.web.observability import configure_logging
from amina.bootstrap import build
from amina.settings import load_settings


def app_factory() -> FastAPI:
    settings = load_settings()
    configure_logging(json=settings.log_json, level=settings.log_level)
    return create_app(build(settings))
