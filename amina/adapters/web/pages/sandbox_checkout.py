"""The sandbox acquirer's checkout page (development and tests only; absent in production).

It stands in for a bank's payment page: the person can pay, decline, or pay while the
callback gets lost on the way (reconciliation then finds the payment); leaving the page
lets the checkout time out. Paying or declining sends the signed callback to Amina's
callback handler, as an acquirer would.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from amina.adapters.external.payments.sandbox import CheckoutClosed, Outcome, SandboxProvider
from amina.adapters.web.api.patent import receive_callback
from amina.adapters.web.context import container_of

router = APIRouter(include_in_schema=False)


def _sandbox(request: Request) -> SandboxProvider | None:
    provider = container_of(request).payments
    return provider if isinstance(provider, SandboxProvider) else None


@router.get("/sandbox/checkout/{ref}", response_class=HTMLResponse)
def checkout(request: Request, ref: str) -> Response:
    sandbox = _sandbox(request)
    order = None if sandbox is None else sandbox.order(ref)
    if sandbox is None or order is None:
        return HTMLResponse("Unknown checkout", status_code=404)
    status = sandbox.status(ref)
    page: HTMLResponse = request.app.state.pages.render(
        request,
        "sandbox/checkout.html",
        order=order,
        state=status.state.value,
        amount=f"{order.amount:,.0f}".replace(",", "\u00a0"),
    )
    return page


@router.post("/sandbox/checkout/{ref}")
def complete(request: Request, ref: str, outcome: Annotated[Outcome, Form()]) -> Response:
    sandbox = _sandbox(request)
    order = None if sandbox is None else sandbox.order(ref)
    if sandbox is None or order is None:
        return HTMLResponse("Unknown checkout", status_code=404)
    try:
        report = sandbox.complete(order, outcome)
    except CheckoutClosed:
        return RedirectResponse(f"/sandbox/checkout/{ref}", status_code=303)
    if outcome is not Outcome.lose_callback:
        body, signature = sandbox.callback(report)
        receive_callback(container_of(request), body, signature)
    # back into this same service: the path of the return address (whatever host it names)
    back = urlsplit(order.return_url)
    return RedirectResponse(back.path + (f"?{back.query}" if back.query else ""), status_code=303)
