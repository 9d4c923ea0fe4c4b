"""Every JSON body is strict JSON (RFC 8259) before an endpoint sees it: UTF-8, and no ``NaN``,
``Infinity`` or ``-Infinity`` (Python's own JSON reader takes them; a number that is no number
must never reach a rule). A body that is not is answered 400 ``malformed_json``, as
``POST /api/v1/reports`` answers (it reads its body with orjson itself and is left alone)."""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from amina.adapters.web.context import translator_for
from amina.adapters.web.problems import malformed_json_response, request_incomplete_response

#: Endpoints that read their JSON strictly themselves (the hot path: no second parse).
READS_ITS_OWN_JSON = frozenset({"/api/v1/reports"})


def _is_json(content_type: bytes | None) -> bool:
    """What FastAPI reads as JSON: no content type, ``application/json`` or ``…+json``."""
    if content_type is None:
        return True
    media = content_type.split(b";", 1)[0].strip().lower()
    return media == b"application/json" or (
        media.startswith(b"application/") and media.endswith(b"+json")
    )


class StrictJsonMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE")
            or scope["path"] in READS_ITS_OWN_JSON
            or not _is_json(dict(scope.get("headers") or []).get(b"content-type"))
        ):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away mid-body
                translator = translator_for(Request(scope))
                await request_incomplete_response(translator)(scope, receive, send)
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if body.strip():
            try:
                orjson.loads(body)  # UTF-8 and strict numbers, or JSONDecodeError
            except orjson.JSONDecodeError:
                await malformed_json_response(translator_for(Request(scope)))(scope, receive, send)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
