"""The host verification page ``/verify``: type the slip code, or arrive from its QR code
(``/verify?code=...``). Server-rendered with a GET form, so it works without JavaScript.

It shows whether the registration is valid and, for a known code, only the initials, the
address and the date it is valid until. Lookups share the API's limit and counters
(:mod:`amina.adapters.web.api.verification`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from amina.adapters.web.api.verification import look_up
from amina.services.errors import AminaError, ErrorKind

router = APIRouter(include_in_schema=False)

MAX_TYPED = 64


@router.get("/verify", response_class=HTMLResponse)
def verify_page(
    request: Request, code: Annotated[str | None, Query(max_length=200)] = None
) -> HTMLResponse:
    typed = (code or "").strip()[:MAX_TYPED]
    context: dict[str, object] = {"code": typed, "checked": False, "view": None}
    status_code = 200
    if typed:
        try:
            context["view"] = look_up(request, typed)
            context["checked"] = True
        except AminaError as error:
            if error.kind is not ErrorKind.rate_limited:
                raise
            context["rate_limited"] = True
            status_code = 429
    response: HTMLResponse = request.app.state.pages.render(
        request, "verify.html", status_code=status_code, **context
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
