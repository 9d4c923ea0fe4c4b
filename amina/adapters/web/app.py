"""The FastAPI application, assembled from the container (see amina.bootstrap)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from amina.adapters.db.migrate import is_current
from amina.adapters.web import problems, staff_auth
from amina.adapters.web.api import booking as booking_api
from amina.adapters.web.api import devices as devices_api
from amina.adapters.web.api import eligibility as eligibility_api
from amina.adapters.web.api import me as me_api
from amina.adapters.web.api import my_reports as my_reports_api
from amina.adapters.web.api import notices as notices_api
from amina.adapters.web.api import region_outline as region_outline_api
from amina.adapters.web.api import registrations as registrations_api
from amina.adapters.web.api import reporting_settings as reporting_settings_api
from amina.adapters.web.api import reports as reports_api
from amina.adapters.web.api import sign_in as sign_in_api
from amina.adapters.web.api import staff_cases as staff_cases_api
from amina.adapters.web.api import staff_persons as staff_persons_api
from amina.adapters.web.api import verification as verification_api
from amina.adapters.web.observability import (
    BodySizeLimitMiddleware,
    Metrics,
    ObservabilityMiddleware,
)
from amina.adapters.web.pages import app as person_app
from amina.adapters.web.pages import console as staff_console
from amina.adapters.web.pages import (
    console_booking,
    console_calendar,
    console_cases,
    console_policy,
    console_reviews,
    landing,
)
from amina.adapters.web.pages import verify as verify_page
from amina.adapters.web.templating import Pages
from amina.bootstrap import Container

STATIC = Path(__file__).parent / "static"

#: Bodies larger than this are refused with 413 (a batch of 1,000 reports is ~250 KB).
MAX_BODY_BYTES = 1_048_576


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Run the scheduler (when ``settings.scheduler``) for as long as the app runs."""
    container: Container = app.state.container
    scheduler = None
    if container.settings.scheduler:
        from amina.entrypoints.jobs.schedule import start_scheduler

        scheduler = start_scheduler(container, app.state.metrics.registry)
    try:
        yield
    finally:
        if scheduler is not None:
            scheduler.stop()


def create_app(container: Container) -> FastAPI:
    app = FastAPI(
        lifespan=_lifespan,
        title="Amina",
        version="1",
        summary="Registration of the place of stay for foreign nationals in Moscow and "
        "Moscow Oblast",
        docs_url="/docs",
        redoc_url=None,
    )
    metrics = Metrics()
    app.state.container = container
    app.state.metrics = metrics
    app.state.pages = Pages()

    problems.install(app)
    staff_auth.install(app)

    @app.get("/healthz", tags=["operations"], include_in_schema=True)
    def healthz() -> PlainTextResponse:
        return PlainTextResponse("ok")

    @app.get("/readyz", tags=["operations"])
    def readyz() -> JSONResponse:
        if is_current(container.engine):
            return JSONResponse({"status": "ready"})
        return JSONResponse({"status": "not_ready", "reason": "migrations_behind"}, status_code=503)

    @app.get("/metrics", tags=["operations"])
    def metrics_endpoint() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    # first: the hot path (location reports) is matched before every other route
    app.include_router(reports_api.router)
    app.include_router(eligibility_api.router)
    app.include_router(sign_in_api.router)
    app.include_router(me_api.router)
    app.include_router(devices_api.router)
    app.include_router(staff_persons_api.router)
    if not container.settings.is_production:
        from amina.adapters.web.pages import dev_sms

        app.include_router(dev_sms.router)
    app.include_router(landing.router)
    app.include_router(person_app.router)
    app.include_router(staff_console.router)
    app.include_router(staff_console.staff_api)
    app.include_router(console_calendar.router)
    app.include_router(console_booking.router)
    app.include_router(console_policy.router)
    app.include_router(console_cases.router)
    app.include_router(console_reviews.router)
    app.include_router(registrations_api.router)
    app.include_router(registrations_api.staff_router)
    app.include_router(verification_api.router)
    app.include_router(my_reports_api.router)
    app.include_router(reporting_settings_api.router)
    app.include_router(region_outline_api.router)
    app.include_router(notices_api.router)
    app.include_router(notices_api.push_router)
    app.include_router(staff_cases_api.router)
    app.include_router(verify_page.router)
    app.include_router(booking_api.router)
    app.include_router(booking_api.staff_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    app.add_middleware(BodySizeLimitMiddleware, limit=MAX_BODY_BYTES)
    app.add_middleware(ObservabilityMiddleware, metrics=metrics)
    return app
