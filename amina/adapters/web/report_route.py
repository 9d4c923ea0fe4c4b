"""``POST /api/v1/reports`` on a plain ASGI path, in front of the FastAPI app (PERFORMANCE.md;
BENCHMARKS.md, "The report route on a plain ASGI path").

The report route is the hot path of the whole system, and FastAPI's router, its dependency
solving and the four middlewares cost about a third of a worker's CPU per single-report request.
:class:`ReportRoute` is the outermost ASGI callable of the app: it takes exactly ``POST
/api/v1/reports`` (method and path) and hands every other request to the FastAPI stack
untouched. For the one it takes it does what the stack does, with the stack's own functions:

- the answer itself: :func:`~amina.adapters.web.api.reports.reports_answer`, which the FastAPI
  route (still declared: it is what the OpenAPI document describes) calls too;
- errors: the app's own exception handlers (problem documents, translated; 503 while the
  database cannot be reached; 400 ``request_incomplete``), looked up as Starlette does; anything
  else is a plain 500, as Starlette's ``ServerErrorMiddleware`` answers, and is raised again;
- the body limit (413 ``payload_too_large``, declared or streamed), the request id, the metrics
  and the access log line (observability.py) and the security headers (security_headers.py),
  in the same order on the wire.

tests/integration/test_report_route.py compares its answers with the FastAPI route's.
"""

from __future__ import annotations

import inspect
import time
from typing import Any

import structlog
from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from amina.adapters.web.api.reports import reports_answer
from amina.adapters.web.observability import (
    UNMATCHED,
    LimitedBody,
    Metrics,
    declared_too_large,
    payload_too_large,
    record_request,
    request_id_of,
)
from amina.adapters.web.security_headers import added_headers

PATH = "/api/v1/reports"


class ReportRoute:
    def __init__(self, app: FastAPI, fallback: ASGIApp, *, limit: int, https: bool) -> None:
        #: The FastAPI stack as it would run without this path (every other request).
        self.fallback = fallback
        self.limit = limit
        self.metrics: Metrics = app.state.metrics
        self.security = added_headers(PATH, https=https)
        # what Starlette's ExceptionMiddleware handles (500/Exception go to the error handler)
        self.handlers: dict[type[Exception], Any] = {
            key: handler
            for key, handler in app.exception_handlers.items()
            if isinstance(key, type) and key is not Exception
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] == PATH
            and scope["method"] == "POST"
            and not scope.get("root_path")  # behind a prefix: the router's matching decides
        ):
            await self._serve(scope, receive, send)
        else:
            await self.fallback(scope, receive, send)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = request_id_of(scope)
        started = time.perf_counter()
        template = PATH
        status = 500
        structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            if declared_too_large(scope, self.limit):
                template = UNMATCHED  # refused before any route matched, as the stack does
                response = payload_too_large(scope)
            else:
                try:
                    response = await self._answer(scope, receive)
                except Exception:
                    # as ServerErrorMiddleware: a plain 500 without the other headers
                    await PlainTextResponse("Internal Server Error", status_code=500)(
                        scope, receive, send
                    )
                    raise
            status = response.status_code
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [
                        *response.raw_headers,
                        (b"x-request-id", request_id.encode()),
                        *self.security,
                    ],
                }
            )
            await send({"type": "http.response.body", "body": response.body})
        finally:
            record_request(self.metrics, "POST", template, status, started)
            structlog.contextvars.unbind_contextvars("request_id")

    async def _answer(self, scope: Scope, receive: Receive) -> Response:
        body = LimitedBody(receive, self.limit)
        request = Request(scope, body)
        try:
            response = await reports_answer(request, request.headers.get("authorization"))
        except Exception as error:
            if body.too_large:
                return payload_too_large(scope)
            handler = self._handler_of(error)
            if handler is None:
                raise
            if inspect.iscoroutinefunction(handler):
                return await handler(request, error)  # type: ignore[no-any-return]
            return await run_in_threadpool(handler, request, error)
        if body.too_large:  # the body was cut off: whatever was made of it is dropped
            return payload_too_large(scope)
        return response

    def _handler_of(self, error: Exception) -> Any:
        for kind in type(error).__mro__:
            if kind in self.handlers:
                return self.handlers[kind]
        return None


def install(app: FastAPI, *, limit: int, https: bool) -> None:
    """Put :class:`ReportRoute` in front of the app's whole stack (built on its first
    request, when every exception handler is registered)."""
    build = app.build_middleware_stack

    def build_with_report_route() -> ASGIApp:
        return ReportRoute(app, build(), limit=limit, https=https)

    app.build_middleware_stack = build_with_report_route  # type: ignore[method-assign]
