"""The person's own location data (API.md "The person's own data"): every raw report with its
flags and the date it will be deleted, device-status records, daily summaries, and the export
of everything the system holds about them. Bearer token.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from amina.adapters.web.api.person_auth import current_person
from amina.adapters.web.context import container_of, translator_for
from amina.domain.calendar import MOSCOW
from amina.i18n import N_, NP_
from amina.services.errors import AminaError, ErrorKind, FieldError
from amina.services.identity.sessions import SignedInPerson
from amina.services.my_data.export import export_everything
from amina.services.reports.my_reports import (
    MAX_PAGE,
    HeldStatus,
    Retention,
    my_device_status,
    my_reports,
    my_summaries,
)

router = APIRouter(prefix="/api/v1/me", tags=["me"])

RETENTION_TEXT = NP_(
    "Raw location reports and device-status records are deleted %(days)s day after they were "
    "taken. Daily summaries are kept for as long as your registration.",
    "Raw location reports and device-status records are deleted %(days)s days after they were "
    "taken. Daily summaries are kept for as long as your registration.",
    count="days",
)


class RetentionOut(BaseModel):
    report_retention_days: int
    policy_version: str
    explanation: str = Field(description="In the person's language")


class ReportOut(BaseModel):
    client_id: str
    device_id: str
    device_time: datetime
    received_at: datetime
    lat: float
    lon: float
    accuracy_m: float
    speed_mps: float | None
    altitude_m: float | None
    provider: str | None
    mocked: bool
    region: str | None = Field(description="RU-MOW, RU-MOS, or null: outside both")
    flags: list[str]
    distance_to_address_m: float | None
    deleted_after: date = Field(description="The last day this report is kept")


class ReportsOut(BaseModel):
    reports: list[ReportOut]
    next_cursor: str | None
    retention: RetentionOut


class SummaryOut(BaseModel):
    day: date = Field(description="Moscow calendar day")
    reports: int
    inside_region: int
    any_inside_region: bool
    near_address: int
    any_near_address: bool
    first_at: datetime | None
    last_at: datetime | None
    flags: dict[str, int] = Field(description="How many of the day's reports carried each flag")
    device_status_problems: int


class SummariesOut(BaseModel):
    summaries: list[SummaryOut]


class StatusOut(BaseModel):
    device_id: str
    reported_at: datetime
    received_at: datetime
    location_permission: bool | None
    location_services: bool | None
    battery_saver: bool | None
    app_version: str | None
    problem: bool = Field(description="No permission, location off, or battery saver on")
    deleted_after: date


class LatestContactOut(BaseModel):
    last_contact_at: datetime = Field(description="When the phone last reached Amina")
    last_report_at: datetime | None
    last_report_region: str | None
    status_reported_at: datetime | None
    location_permission: bool | None
    location_services: bool | None
    battery_saver: bool | None
    app_version: str | None


class DeviceStatusOut(BaseModel):
    latest: LatestContactOut | None
    records: list[StatusOut]
    next_cursor: str | None
    retention: RetentionOut


def range_invalid(field: str) -> AminaError:
    return AminaError(
        "validation_failed",
        ErrorKind.invalid,
        N_("Some fields are not valid"),
        N_("Correct the fields listed and send the request again."),
        errors=[
            FieldError(
                field,
                "datetime_parsing",
                N_("Enter a date as YYYY-MM-DD or a time in RFC 3339 format with an offset."),
            )
        ],
    )


def _bound(value: str | None, field: str, *, end: bool) -> datetime | None:
    """A date (a Moscow day; ``to`` includes it) or an RFC 3339 time with offset."""
    if not value:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value) + timedelta(days=1 if end else 0)
            return datetime.combine(day, time(0), MOSCOW)
        at = datetime.fromisoformat(value)
    except ValueError:
        raise range_invalid(field) from None
    if at.tzinfo is None:
        raise range_invalid(field)
    return at


def _day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise range_invalid(field) from None


def _retention(kept: Retention, request: Request) -> RetentionOut:
    return RetentionOut(
        report_retention_days=kept.report_retention_days,
        policy_version=kept.policy_version,
        explanation=translator_for(request).gettext(
            RETENTION_TEXT, days=kept.report_retention_days
        ),
    )


From = Annotated[str | None, Query(alias="from", description="YYYY-MM-DD or RFC 3339")]
To = Annotated[str | None, Query(description="YYYY-MM-DD (included) or RFC 3339 (excluded)")]
Cursor = Annotated[str | None, Query(description="next_cursor of the previous page")]
Limit = Annotated[int | None, Query(ge=1, le=MAX_PAGE)]


@router.get("/reports", response_model=ReportsOut)
async def reports_held(
    request: Request,
    person: SignedInPerson = Depends(current_person),
    start: From = None,
    to: To = None,
    cursor: Cursor = None,
    limit: Limit = None,
) -> ReportsOut:
    """Every raw location report held about you, newest first (by your phone's time), with
    its flags, region, distance to your registered address and the last day it is kept."""
    container = container_of(request)
    page = await run_in_threadpool(
        my_reports,
        container.uow,
        container.clock,
        person.person_id,
        start=_bound(start, "from", end=False),
        end=_bound(to, "to", end=True),
        cursor=cursor,
        limit=limit,
    )
    return ReportsOut(
        reports=[ReportOut(**vars(r) | {"flags": list(r.flags)}) for r in page.reports],
        next_cursor=page.next_cursor,
        retention=_retention(page.retention, request),
    )


@router.get("/summaries", response_model=SummariesOut)
async def summaries_held(
    request: Request,
    person: SignedInPerson = Depends(current_person),
    start: From = None,
    to: To = None,
) -> SummariesOut:
    """Your daily summaries (Moscow days), newest first: what the rules and officers use."""
    container = container_of(request)
    found = await run_in_threadpool(
        my_summaries,
        container.uow,
        person.person_id,
        first=_day(start, "from"),
        last=_day(to, "to"),
    )
    return SummariesOut(
        summaries=[
            SummaryOut(
                **vars(s),
                any_inside_region=s.any_inside_region,
                any_near_address=s.any_near_address,
            )
            for s in found
        ]
    )


def _status_out(record: HeldStatus) -> StatusOut:
    return StatusOut(**vars(record))


@router.get("/device-status", response_model=DeviceStatusOut)
async def device_status_held(
    request: Request,
    person: SignedInPerson = Depends(current_person),
    start: From = None,
    to: To = None,
    cursor: Cursor = None,
    limit: Limit = None,
) -> DeviceStatusOut:
    """What your phone told Amina about itself (location permission, location services,
    battery saver, app version), newest first, and when it last reached Amina."""
    container = container_of(request)
    page = await run_in_threadpool(
        my_device_status,
        container.uow,
        container.clock,
        person.person_id,
        start=_bound(start, "from", end=False),
        end=_bound(to, "to", end=True),
        cursor=cursor,
        limit=limit,
    )
    return DeviceStatusOut(
        latest=None if page.latest is None else LatestContactOut(**vars(page.latest)),
        records=[_status_out(r) for r in page.records],
        next_cursor=page.next_cursor,
        retention=_retention(page.retention, request),
    )


@router.get(
    "/export",
    responses={200: {"description": "One JSON document", "content": {"application/json": {}}}},
)
async def export(request: Request, person: SignedInPerson = Depends(current_person)) -> Response:
    """Everything Amina holds about you, as one JSON document: profile, card, registrations
    with their history, location reports, device status, daily summaries, notices, decisions
    and the log of staff access to your data."""
    container = container_of(request)
    document: dict[str, Any] = await run_in_threadpool(
        export_everything, container.uow, container.clock, person.person_id
    )
    document["retention"]["explanation"] = translator_for(request).gettext(
        RETENTION_TEXT, days=document["retention"]["report_retention_days"]
    )
    return Response(
        orjson.dumps(document),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="amina-export.json"'},
    )
