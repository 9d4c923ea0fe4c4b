"""The FastAPI application, assembled from the container (see amina.bootstrap)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Literal

from fastapi import FastAPI
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from pydantic import BaseModel

from amina.adapters.db.availability import is_reachable
from amina.adapters.db.migrate import is_current
from amina.adapters.web import problems, report_route, staff_auth
from amina.adapters.web.api import addresses as addresses_api
from amina.adapters.web.api import booking as booking_api
from amina.adapters.web.api import check_in as check_in_api
from amina.adapters.web.api import devices as devices_api
from amina.adapters.web.api import eligibility as eligibility_api
from amina.adapters.web.api import me as me_api
from amina.adapters.web.api import my_reports as my_reports_api
from amina.adapters.web.api import notices as notices_api
from amina.adapters.web.api import patent as patent_api
from amina.adapters.web.api import region_outline as region_outline_api
from amina.adapters.web.api import registrations as registrations_api
from amina.adapters.web.api import reporting_settings as reporting_settings_api
from amina.adapters.web.api import reports as reports_api
from amina.adapters.web.api import sign_in as sign_in_api
from amina.adapters.web.api import staff_cases as staff_cases_api
from amina.adapters.web.api import staff_persons as staff_persons_api
from amina.adapters.web.api import verification as verification_api
from amina.adapters.web.json_bodies import StrictJsonMiddleware
from amina.adapters.web.observability import (
    BodySizeLimitMiddleware,
    Metrics,
    ObservabilityMiddleware,
)
from amina.adapters.web.pages import (
    api_docs,
    console_audit,
    console_booking,
    console_calendar,
    console_cases,
    console_patent,
    console_persons,
    console_policy,
    console_reviews,
    landing,
)
from amina.adapters.web.pages import app as person_app
from amina.adapters.web.pages import console as staff_console
from amina.adapters.web.pages import help as help_page
from amina.adapters.web.pages import patent as patent_pages
from amina.adapters.web.pages import verify as verify_page
from amina.adapters.web.security_headers import SecurityHeadersMiddleware
from amina.adapters.web.templating import Pages
from amina.bootstrap import Container

STATIC = Path(__file__).parent / "static"


class Readiness(BaseModel):
    status: Literal["ready", "not_ready"]
    reason: Literal["migrations_behind", "database_unreachable"] | None = None


#: Bodies larger than this are refused with 413 (a batch of 1,000 reports is ~250 KB).
MAX_BODY_BYTES = 1_048_576


#: What runs for as long as the app runs (the served app's scheduler: amina.entrypoints.asgi).
Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def _lifespan(outer: Lifespan | None) -> Lifespan:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        """Run what the entry point adds for the app's lifetime; close the report hot path's
        connections (built and owned by the container) when the app stops."""
        container: Container = app.state.container
        try:
            if outer is None:
                yield
            else:
                async with outer(app):
                    yield
        finally:
            if container.reports.stores is not None:
                await container.reports.stores.close()

    return lifespan


def create_app(container: Container, lifespan: Lifespan | None = None) -> FastAPI:
    app = FastAPI(
        lifespan=_lifespan(lifespan),
        title="Amina",
        version="1",
        summary="Registration of the place of stay for foreign nationals in Moscow and "
        "Moscow Oblast",
        docs_url=None,  # pages/api_docs.py: the same page without an inline script
        redoc_url=None,
    )
    metrics = Metrics()
    app.state.container = container
    app.state.metrics = metrics
    app.state.pages = Pages()

    problems.install(app)
    staff_auth.install(app)

    @app.get("/healthz", tags=["operations"], response_class=PlainTextResponse)
    def healthz() -> PlainTextResponse:
        """``ok`` (text/plain) while the process runs."""
        return PlainTextResponse("ok")

    @app.get(
        "/readyz",
        tags=["operations"],
        responses={200: {"model": Readiness}, 503: {"model": Readiness}},
    )
    def readyz() -> JSONResponse:
        if is_current(container.engine):
            return JSONResponse({"status": "ready"})
        reason = "migrations_behind" if is_reachable(container.engine) else "database_unreachable"
        return JSONResponse({"status": "not_ready", "reason": reason}, status_code=503)

    @app.get(
        "/metrics",
        tags=["operations"],
        response_class=PlainTextResponse,
        responses={200: {"description": "Prometheus text format " + CONTENT_TYPE_LATEST}},
    )
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
        from amina.adapters.web.pages import sandbox_checkout

        app.include_router(sandbox_checkout.router)
    for router in (
        api_docs.router,
        landing.router,
        help_page.router,
        person_app.router,
        staff_console.router,
        staff_console.staff_api,
        console_calendar.router,
        console_booking.router,
        console_policy.router,
        console_cases.router,
        console_audit.router,
        console_persons.router,
        console_reviews.router,
        registrations_api.router,
        addresses_api.router,
        registrations_api.staff_router,
        verification_api.router,
        my_reports_api.router,
        reporting_settings_api.router,
        check_in_api.router,
        region_outline_api.router,
        notices_api.router,
        notices_api.push_router,
        staff_cases_api.router,
        verify_page.router,
        patent_api.router,
        patent_pages.router,
        console_patent.router,
        booking_api.router,
        booking_api.staff_router,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    app.add_middleware(StrictJsonMiddleware)  # inside the size limit: reads bodies whole
    app.add_middleware(BodySizeLimitMiddleware, limit=MAX_BODY_BYTES)
    app.add_middleware(ObservabilityMiddleware, metrics=metrics)
    https = (container.settings.public_base_url or "").startswith("https://")
    app.add_middleware(SecurityHeadersMiddleware, https=https)  # outermost: also on 413s
    # in front of all of it: POST /api/v1/reports on a plain ASGI path (report_route.py)
    report_route.install(app, limit=MAX_BODY_BYTES, https=https)
    return app
