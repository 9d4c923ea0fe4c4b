"""Pages of the patent's payment (issue 11): the employer's check of a receipt
(``/patent/check?code=``, public, minimal data) and the address the checkout returns to."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from amina.adapters.web.context import container_of
from amina.domain.slip import grouped, normalise
from amina.services.patent.payments import check_payment

router = APIRouter(include_in_schema=False)


@router.get("/patent/check", response_class=HTMLResponse)
def check_page(
    request: Request, code: Annotated[str | None, Query(max_length=200)] = None
) -> HTMLResponse:
    typed = (code or "").strip()[:64]
    found = None
    normalised = normalise(typed) if typed else None
    if normalised:
        with container_of(request).uow() as uow:
            found = check_payment(uow, normalised)
    response: HTMLResponse = request.app.state.pages.render(
        request,
        "patent_check.html",
        code=grouped(normalised) if normalised else typed,
        checked=bool(typed),
        found=found,
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@router.get("/app/patent-return")
def back_from_checkout() -> RedirectResponse:
    """Where the provider's checkout sends the person back: the patent screen."""
    return RedirectResponse("/app#patent", status_code=303)
