"""Request ids, structured access logs and Prometheus metrics.

Labels and log fields are route *templates* (``/api/v1/verify/{code}``), never raw paths or
query strings, so nothing a person typed reaches a log line or a metric label.
"""

from __future__ import annotations

import itertools
import logging
import os
import sys
import time
from typing import Any

import structlog
from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from amina.adapters.web.context import translator_for
from amina.adapters.web.problems import problem_response
from amina.i18n import N_

log = structlog.get_logger("amina.http")

# Request ids (32 hex digits): a random prefix per process and a counter. Unique across workers
# and restarts, with no system call on the hot path (uuid4 reads the kernel's random source).
_REQUEST_ID_PREFIX = os.urandom(11).hex()
_request_counter = itertools.count(1)


def _next_request_id() -> str:
    return f"{_REQUEST_ID_PREFIX}{next(_request_counter):010x}"


def configure_logging(*, json: bool = True, level: str = "INFO") -> None:
    processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[*processors, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stdout),
        cache_logger_on_first_use=False,
    )


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "amina_http_requests_total",
            "HTTP requests by route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "amina_http_request_duration_seconds",
            "HTTP request latency by route template",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )

    def counter(self, name: str, documentation: str, labels: tuple[str, ...] = ()) -> Counter:
        """A counter owned by a feature (counts only; labels never carry personal data)."""
        return Counter(name, documentation, list(labels), registry=self.registry)


def request_id_of(scope: Scope) -> str:
    """The caller's ``X-Request-ID`` when it is a plain token (up to 64 letters and digits:
    nothing else reaches a log line), else a new one."""
    headers = dict(scope.get("headers") or [])
    incoming = headers.get(b"x-request-id", b"").decode("latin-1")
    return incoming if 0 < len(incoming) <= 64 and incoming.isalnum() else _next_request_id()


def record_request(
    metrics: Metrics, method: str, template: str, status: int, started: float
) -> None:
    """The request's metrics and its access log line (the route's template, never its path)."""
    elapsed = time.perf_counter() - started
    metrics.requests.labels(method, template, str(status)).inc()
    metrics.latency.labels(method, template).observe(elapsed)
    log.info(
        "request",
        method=method,
        route=template,
        status=status,
        duration_ms=round(elapsed * 1000, 2),
    )


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        status_holder = {"status": 500}
        started = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or UNMATCHED
            method = scope.get("method", "GET")
            record_request(self.metrics, method, template, status_holder["status"], started)
            structlog.contextvars.unbind_contextvars("request_id")


#: The route label of a request no route took (a 404, or a body refused before routing).
UNMATCHED = "unmatched"


def declared_too_large(scope: Scope, limit: int) -> bool:
    """The request says (``Content-Length``) that its body is over ``limit`` bytes."""
    declared = dict(scope.get("headers") or []).get(b"content-length")
    return declared is not None and declared.isdigit() and int(declared) > limit


class LimitedBody:
    """A ``receive`` that counts the body's bytes and raises :class:`BodyTooLarge` once they
    pass ``limit`` (:attr:`too_large` then stays true, whatever the reader made of it)."""

    def __init__(self, receive: Receive, limit: int) -> None:
        self.receive = receive
        self.limit = limit
        self.received = 0
        self.too_large = False

    async def __call__(self) -> Message:
        message = await self.receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                self.too_large = True
                raise BodyTooLarge
        return message


def payload_too_large(scope: Scope) -> Response:
    """413 ``payload_too_large``, in the language the request asks for."""
    return problem_response(
        translator_for(Request(scope)),
        status=413,
        code="payload_too_large",
        title=N_("Request too large"),
        detail=N_("The request body is larger than this endpoint accepts."),
    )


class BodySizeLimitMiddleware:
    """Refuse bodies over ``limit`` bytes with 413 ``payload_too_large`` before reading them
    whole — on every endpoint, whatever reads the body (JSON, a form) and however it fails
    on the cut-off stream: once the limit is passed, the endpoint's own answer is dropped."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if declared_too_large(scope, self.limit):
            await payload_too_large(scope)(scope, receive, send)
            return
        body = LimitedBody(receive, self.limit)
        answered = False

        async def guarded_send(message: Message) -> None:
            nonlocal answered
            if body.too_large and not answered:
                return  # the endpoint's answer to a cut-off body (a 400, a 500): dropped
            answered = True
            await send(message)

        try:
            await self.app(scope, body, guarded_send)
        except BodyTooLarge:
            pass
        except Exception:
            if not body.too_large:
                raise
        if body.too_large and not answered:
            await payload_too_large(scope)(scope, receive, send)


class BodyTooLarge(Exception):
    """The body passed its limit (raised by :class:`LimitedBody` to stop its reader)."""
