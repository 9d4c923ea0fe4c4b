"""The FastAPI application, assembled from the container (see amina.bootstrap)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from amina.adapters.db.migrate import is_current
from amina.adapters.web import problems
from amina.adapters.web.api import eligibility as eligibility_api
from amina.adapters.web.observability import (
    BodySizeLimitMiddleware,
    Metrics,
    ObservabilityMiddleware,
)
from amina.adapters.web.pages import landing
from amina.adapters.web.templating import Pages
from amina.bootstrap import Container

STATIC = Path(__file__).parent / "static"

#: Bodies larger than this are refused with 413 (a batch of 1,000 reports is ~250 KB).
MAX_BODY_BYTES = 1_048_576


def create_app(container: Container) -> FastAPI:
    app = FastAPI(
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

    app.include_router(eligibility_api.router)
    app.include_router(landing.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    app.add_middleware(BodySizeLimitMiddleware, limit=MAX_BODY_BYTES)
    app.add_middleware(ObservabilityMiddleware, metrics=metrics)
    return app
