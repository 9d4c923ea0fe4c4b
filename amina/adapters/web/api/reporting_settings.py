"""``GET /api/v1/me/reporting``: what the person's app needs to report location — whether
there is a registered place to report for (and where it is), the interval the policy sets, how
long raw reports are kept, and the latest report Amina holds (docs/app-reporting.md). Bearer
token.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from amina.adapters.web.api.my_reports import RETENTION_TEXT
from amina.adapters.web.api.person_auth import current_person
from amina.adapters.web.context import container_of, translator_for
from amina.services.identity.sessions import SignedInPerson
from amina.services.reports.reporting_settings import reporting_settings

router = APIRouter(prefix="/api/v1/me", tags=["me"])


class RegisteredPlaceOut(BaseModel):
    region: str = Field(examples=["RU-MOW"])
    lat: float | None = Field(
        description="null until the person adds the building's coordinates (issue 13)"
    )
    lon: float | None


class ReportingOut(BaseModel):
    reporting_expected: bool = Field(
        description="The person has a registration that holds a place (active or awaiting "
        "confirmation): only then does the app ask for the location"
    )
    registered_place: RegisteredPlaceOut | None = Field(
        description="The registered address's coordinates, for drawing"
    )
    report_interval_minutes: int = Field(description="Send a report this often")
    max_batch: int = Field(description="At most this many reports per POST /api/v1/reports")
    report_retention_days: int
    retention_explanation: str = Field(description="In the person's language")
    policy_version: str
    last_report_at: datetime | None = Field(
        description="The phone's time of the latest report Amina holds from the person"
    )
    last_contact_at: datetime | None = Field(
        description="When the phone last reached Amina (a report or a heartbeat)"
    )


@router.get("/reporting", response_model=ReportingOut)
async def reporting(
    request: Request, person: SignedInPerson = Depends(current_person)
) -> ReportingOut:
    """Whether and how often your app sends your location, how long the reports are kept,
    and the latest report Amina holds from you."""
    container = container_of(request)
    found = await run_in_threadpool(
        reporting_settings, container.uow, container.clock, person.person_id
    )
    place = found.registered_place
    return ReportingOut(
        reporting_expected=place is not None,
        registered_place=None if place is None else RegisteredPlaceOut(**vars(place)),
        report_interval_minutes=found.report_interval_minutes,
        max_batch=found.max_batch,
        report_retention_days=found.report_retention_days,
        retention_explanation=translator_for(request).gettext(
            RETENTION_TEXT, days=found.report_retention_days
        ),
        policy_version=found.policy_version,
        last_report_at=found.last_report_at,
        last_contact_at=found.last_contact_at,
    )
