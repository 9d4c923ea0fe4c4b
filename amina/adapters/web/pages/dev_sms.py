"""Development only: the messages the local SMS gateway "sent" (API.md "Development only").

Mounted only outside production (see app.py), so that ``/dev/sms`` answers 404 there.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from amina.adapters.notify.sms import LocalSmsGateway, StoredSms
from amina.adapters.web.context import container_of

router = APIRouter(tags=["development"])

SHOWN = 100


class SmsOut(BaseModel):
    to: str
    text: str
    sent_at: datetime


async def _recent(request: Request) -> list[StoredSms]:
    gateway = container_of(request).sms
    if not isinstance(gateway, LocalSmsGateway):
        return []
    return await run_in_threadpool(gateway.recent, SHOWN)


@router.get("/dev/sms.json", response_model=list[SmsOut])
async def sms_json(request: Request) -> list[SmsOut]:
    """The messages the local SMS gateway "sent", newest first (not in production)."""
    return [SmsOut(to=m.to, text=m.text, sent_at=m.sent_at) for m in await _recent(request)]


@router.get("/dev/sms", response_class=HTMLResponse, include_in_schema=False)
async def sms_page(request: Request) -> HTMLResponse:
    messages = await _recent(request)
    page: HTMLResponse = request.app.state.pages.render(request, "dev/sms.html", messages=messages)
    return page
