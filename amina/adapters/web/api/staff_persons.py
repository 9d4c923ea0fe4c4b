"""Staff: find a person and help with enrolment (``/api/v1/staff/persons/...``).

Staff session cookie plus ``X-CSRF-Token`` (amina.adapters.web.staff_auth); every call states a
purpose and is audited; the person sees it in ``GET /api/v1/me/access-log``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.concurrency import run_in_threadpool

from amina.adapters.web.context import container_of
from amina.adapters.web.problems import problem_responses
from amina.adapters.web.staff_auth import staff_with
from amina.domain.roles import Permission
from amina.i18n import N_
from amina.services.identity.enrolment_help import (
    CardQuery,
    PassportQuery,
    PersonSummary,
    find_person,
    mark_lost_for,
    resend_code_for,
)
from amina.services.staff.accounts import SignedInStaff

router = APIRouter(prefix="/api/v1/staff/persons", tags=["staff"])

Purpose = Annotated[
    str,
    Field(
        max_length=500,
        description="Why you need this person's data (at least 5 characters); shown to the "
        "person in their access log.",
        examples=["Person at desk 3 cannot sign in"],
    ),
]


class PersonSearchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    card_number: Annotated[str | None, Field(max_length=40)] = None
    citizenship: Annotated[str | None, Field(pattern="^[A-Za-z]{2}$")] = None
    passport_number: Annotated[str | None, Field(max_length=40)] = None
    purpose: Purpose = ""

    @model_validator(mode="after")
    def _one_way(self) -> PersonSearchIn:
        by_card = bool(self.card_number)
        by_passport = bool(self.citizenship and self.passport_number)
        if by_card == by_passport:
            raise ValueError(
                "search_by_card_or_passport|"
                + N_("Give a card number, or a citizenship and a passport number.")
            )
        return self


class PurposeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: Purpose = ""


class PersonSummaryOut(BaseModel):
    id: str
    card_number: str
    card_status: Literal["valid", "lost", "revoked"]
    card_valid_to: date
    surname_lat: str
    given_names_lat: str
    surname_cyr: str
    given_names_cyr: str
    date_of_birth: date
    citizenship: str
    phone: str = Field(description="The phone on file, masked.")
    enrolled_at: datetime | None
    language: str
    device_bound: bool


class CodeResentOut(BaseModel):
    challenge_id: str
    expires_at: datetime
    sent_to: str


def summary_out(summary: PersonSummary) -> PersonSummaryOut:
    card = summary.card
    return PersonSummaryOut(
        id=summary.person_id,
        card_number=card.number,
        card_status=card.status.value,
        card_valid_to=card.valid_to,
        surname_lat=card.surname_lat,
        given_names_lat=card.given_names_lat,
        surname_cyr=card.surname_cyr,
        given_names_cyr=card.given_names_cyr,
        date_of_birth=card.date_of_birth,
        citizenship=card.citizenship,
        phone=summary.phone_masked,
        enrolled_at=summary.enrolled_at,
        language=summary.language,
        device_bound=summary.device_bound,
    )


@router.post(
    "/search",
    response_model=PersonSummaryOut,
    responses=problem_responses({404: ["person_not_found"], 422: ["purpose_required"]}),
)
async def search(
    request: Request,
    body: PersonSearchIn,
    staff: SignedInStaff = Depends(staff_with(Permission.person_search)),
) -> PersonSummaryOut:
    """Find a person by ``card_number`` or by ``citizenship`` + ``passport_number``, stating a
    ``purpose``. Audited, also when nothing is found (404 ``person_not_found``)."""
    container = container_of(request)
    query: CardQuery | PassportQuery = (
        CardQuery(body.card_number)
        if body.card_number
        else PassportQuery(body.citizenship or "", body.passport_number or "")
    )
    found = await run_in_threadpool(
        find_person, container.uow, container.clock, staff.actor, query, body.purpose
    )
    return summary_out(found)


@router.post(
    "/{person_id}/resend-code",
    response_model=CodeResentOut,
    responses=problem_responses({404: ["person_not_found"], 422: ["purpose_required"]}),
)
async def resend_code(
    request: Request,
    person_id: str,
    body: PurposeIn,
    staff: SignedInStaff = Depends(staff_with(Permission.person_enrolment_help)),
) -> CodeResentOut:
    """Send a new code to the phone on file for the sign-in the person has begun (audited);
    lifts the card's lock-out. 409 ``no_sign_in_in_progress`` when there is none."""
    container = container_of(request)
    sent = await run_in_threadpool(
        resend_code_for,
        container.uow,
        container.clock,
        container.wake_outbox,
        container.settings.secret_key,
        staff.actor,
        person_id,
        body.purpose,
    )
    return CodeResentOut(
        challenge_id=sent.challenge_id, expires_at=sent.expires_at, sent_to=sent.sent_to
    )


@router.post(
    "/{person_id}/mark-card-lost",
    response_model=PersonSummaryOut,
    responses=problem_responses({404: ["person_not_found"], 422: ["purpose_required"]}),
)
async def mark_card_lost(
    request: Request,
    person_id: str,
    body: PurposeIn,
    staff: SignedInStaff = Depends(staff_with(Permission.person_enrolment_help)),
) -> PersonSummaryOut:
    """Mark the person's card lost (audited, with a card event). 409 ``card_not_valid`` when the
    card is already lost or revoked."""
    container = container_of(request)
    summary = await run_in_threadpool(
        mark_lost_for, container.uow, container.clock, staff.actor, person_id, body.purpose
    )
    return summary_out(summary)
