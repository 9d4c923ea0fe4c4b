"""ASGI entry point for uvicorn (``amina.entrypoints.asgi:app_factory``, factory mode).

Settings come from the environment (``amina serve`` sets ``AMINA_*`` variables for its
workers), so every worker builds the same container. The served app also runs the job
scheduler (when ``settings.scheduler``) for as long as it runs; the web adapter itself knows
nothing of jobs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI

from amina.adapters.notify.sms import UnconfiguredSmsGateway
from amina.adapters.web.app import create_app
from amina.adapters.web.observability import configure_logging
from amina.bootstrap import Container, build
from amina.entrypoints.jobs.schedule import start_scheduler
from amina.settings import check_servable, load_settings

log = structlog.get_logger("amina.sms")


@asynccontextmanager
async def _run_the_scheduler(app: FastAPI) -> AsyncIterator[None]:
    """Run the scheduler (when ``settings.scheduler``) for as long as the app runs."""
    container: Container = app.state.container
    scheduler = None
    if container.settings.scheduler:
        scheduler = start_scheduler(container, app.state.metrics.registry)
    try:
        yield
    finally:
        if scheduler is not None:
            scheduler.stop()


def served_app(container: Container) -> FastAPI:
    """The web app as ``amina serve`` runs it: with the scheduler in its lifespan."""
    return create_app(container, lifespan=_run_the_scheduler)


def app_factory() -> FastAPI:
    settings = load_settings()
    check_servable(settings)  # `amina serve` checked already; uvicorn may be run by hand
    configure_logging(json=settings.log_json, level=settings.log_level)
    container = build(settings)
    if isinstance(container.sms, UnconfiguredSmsGateway):
        log.warning("sms.unconfigured", consequence="sign-in codes cannot be sent")
    return served_app(container)
