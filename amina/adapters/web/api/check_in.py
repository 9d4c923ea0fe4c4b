"""``GET``/``PUT /api/v1/me/check-in``: the evening check-in (issue 13, point 7) — whether the
person wants the push "tap to confirm you are here" and at which time (Moscow), when the last
report was received and when the next check-in is due (docs/app-reporting.md). Bearer token.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from amina.adapters.web.api.person_auth import current_person
from amina.adapters.web.context import container_of
from amina.services.check_in.reminders import CheckInView, check_in_of, choose_reminder
from amina.services.identity.sessions import SignedInPerson

router = APIRouter(prefix="/api/v1/me", tags=["me"])

_HH_MM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class CheckInIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(description="Send the evening push when nothing arrived that day")
    time: str = Field(
        pattern=_HH_MM, examples=["20:00"], description="The time of the push, Moscow time"
    )


class CheckInOut(BaseModel):
    enabled: bool
    time: str = Field(examples=["20:00"], description="Moscow time, HH:MM")
    chosen: bool = Field(description="false while the person has not chosen (the default)")
    push_subscribed: bool = Field(description="An active push subscription exists")
    reporting_expected: bool = Field(description="A registration holds the place")
    last_report_at: datetime | None = Field(description="The time the latest report counts at")
    last_received_at: datetime | None = Field(description="When the latest report arrived")
    next_check_in_at: datetime = Field(description="When the next check-in is due")
    checked_in_today: bool = Field(description="A report counted today (Moscow day)")
    overdue: bool = Field(description="Today's time has passed without a report")


def _out(view: CheckInView) -> CheckInOut:
    return CheckInOut(
        enabled=view.choice.enabled,
        time=view.choice.at.strftime("%H:%M"),
        chosen=view.choice.chosen,
        push_subscribed=view.push_subscribed,
        reporting_expected=view.reporting_expected,
        last_report_at=view.last_report_at,
        last_received_at=view.last_received_at,
        next_check_in_at=view.next.at.astimezone(UTC),
        checked_in_today=view.next.done_today,
        overdue=view.next.overdue,
    )


@router.get("/check-in", response_model=CheckInOut)
async def check_in(
    request: Request, person: SignedInPerson = Depends(current_person)
) -> CheckInOut:
    """Your evening reminder, your last report and when the next check-in is due."""
    container = container_of(request)
    view = await run_in_threadpool(check_in_of, container.uow, container.clock, person.person_id)
    return _out(view)


@router.put("/check-in", response_model=CheckInOut)
def choose_check_in(
    body: CheckInIn, request: Request, person: SignedInPerson = Depends(current_person)
) -> CheckInOut:
    """Turn the evening reminder on or off and choose its time (Moscow time)."""
    container = container_of(request)
    hours, minutes = body.time.split(":")
    choose_reminder(
        container.uow,
        container.clock,
        person.person_id,
        enabled=body.enabled,
        at=time(int(hours), int(minutes)),
    )
    return _out(check_in_of(container.uow, container.clock, person.person_id))
