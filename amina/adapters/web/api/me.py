"""The person's own data: profile, language, eligibility explained, children, and who looked
at their data (API.md "The person's own data"). Bearer token; answers in the saved language.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, get_args

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.concurrency import run_in_threadpool

from amina.adapters.db.uow import UnitOfWork
from amina.adapters.web.api.person_auth import current_person
from amina.adapters.web.context import container_of, translator_for
from amina.adapters.web.idempotency import answer_response, idempotency_key, idempotent_request
from amina.adapters.web.purpose_words import purpose_text
from amina.bootstrap import Container
from amina.domain.address import format_address
from amina.domain.calendar import moscow_date
from amina.domain.cards import masked_phone
from amina.domain.eligibility import EligibilityAnswer
from amina.domain.slip import grouped
from amina.i18n import LANGUAGES, Translator
from amina.services.idempotency import Answer, run_once
from amina.services.identity.enrolment import (
    EXPLANATIONS,
    HEADLINES,
    Dependant,
    NewDependant,
    Profile,
    add_dependant,
    choose_language,
    eligibility_on,
    profile,
)
from amina.services.identity.sessions import SignedInPerson
from amina.services.my_data.access_log import access_log
from amina.services.registration.registrations import current_registration

router = APIRouter(prefix="/api/v1/me", tags=["me"])

Language = Literal["ru", "uz", "tg", "ky", "hy", "kk", "ka", "az", "ro", "uk", "en"]
assert set(get_args(Language)) == set(LANGUAGES)


class EligibilityOut(BaseModel):
    on: date
    status: Literal["required", "exempt", "not_covered"]
    rule: str | None
    reason: str
    policy_version: str
    headline: str = Field(description="One line, in the person's language.")
    explanation: str = Field(description="What this means for the person, in plain words.")


class CardOut(BaseModel):
    number: str
    status: Literal["valid", "lost", "revoked"]
    valid_from: date
    valid_to: date


class DependantOut(BaseModel):
    id: str
    surname_lat: str
    given_names_lat: str
    surname_cyr: str | None
    given_names_cyr: str | None
    date_of_birth: date
    citizenship: str
    created_at: datetime


class RegistrationSummaryOut(BaseModel):
    id: str
    number: str
    status: str
    slip_code: str
    region: str
    address: str
    stay_from: date
    stay_to: date


class ProfileOut(BaseModel):
    id: str
    surname_lat: str
    given_names_lat: str
    surname_cyr: str
    given_names_cyr: str
    date_of_birth: date
    citizenship: str
    phone: str = Field(description="The phone on file, masked.")
    card: CardOut
    language: str
    language_chosen: bool
    enrolled_at: datetime | None
    eligibility: EligibilityOut
    may_add_dependants: bool
    dependants: list[DependantOut]
    device_bound: bool
    registration: RegistrationSummaryOut | None = Field(
        default=None, description="The current registration's summary (null: none yet)."
    )


class ProfileChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: Language


class AccessOut(BaseModel):
    at: datetime
    staff_id: str | None
    staff_number: int | None = Field(
        description="the staff member's short number: what the app shows, with the role"
    )
    role: str
    role_name: str
    action: str
    purpose: str
    what: str


class AccessLogOut(BaseModel):
    entries: list[AccessOut]


_LATIN = "^[A-Za-z][A-Za-z' .-]{0,99}$"


class DependantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    surname_lat: Annotated[str, Field(pattern=_LATIN, examples=["Karimova"])]
    given_names_lat: Annotated[str, Field(pattern=_LATIN, examples=["Malika"])]
    surname_cyr: Annotated[str | None, Field(max_length=100, examples=["Каримова"])] = None
    given_names_cyr: Annotated[str | None, Field(max_length=100, examples=["Малика"])] = None
    date_of_birth: date
    citizenship: Annotated[str, Field(pattern="^[A-Za-z]{2}$", examples=["UZ"])]

    @field_validator("citizenship")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


class DependantsOut(BaseModel):
    may_add: bool
    dependants: list[DependantOut]


def eligibility_out(answer: EligibilityAnswer, on: date, t: Translator) -> EligibilityOut:
    return EligibilityOut(
        on=on,
        status=answer.status.value,
        rule=answer.rule,
        reason=answer.reason,
        policy_version=answer.policy_version,
        headline=t.gettext(HEADLINES[answer.status]),
        explanation=t.gettext(EXPLANATIONS.get(answer.reason, EXPLANATIONS["no_rule_applies"])),
    )


def dependant_out(child: Dependant) -> DependantOut:
    return DependantOut(
        id=child.id,
        surname_lat=child.surname_lat,
        given_names_lat=child.given_names_lat,
        surname_cyr=child.surname_cyr,
        given_names_cyr=child.given_names_cyr,
        date_of_birth=child.date_of_birth,
        citizenship=child.citizenship,
        created_at=child.created_at,
    )


def profile_out(found: Profile, t: Translator) -> ProfileOut:
    card = found.person.card
    return ProfileOut(
        id=found.person.id,
        surname_lat=card.surname_lat,
        given_names_lat=card.given_names_lat,
        surname_cyr=card.surname_cyr,
        given_names_cyr=card.given_names_cyr,
        date_of_birth=card.date_of_birth,
        citizenship=card.citizenship,
        phone=masked_phone(card.phone),
        card=CardOut(
            number=card.number,
            status=card.status.value,
            valid_from=card.valid_from,
            valid_to=card.valid_to,
        ),
        language=found.person.language,
        language_chosen=found.person.language_chosen,
        enrolled_at=found.person.enrolled_at,
        eligibility=eligibility_out(found.eligibility, found.today, t),
        may_add_dependants=found.may_add_dependants,
        dependants=[dependant_out(child) for child in found.dependants],
        device_bound=found.device_bound,
    )


@router.get("", response_model=ProfileOut)
async def me(request: Request, person: SignedInPerson = Depends(current_person)) -> ProfileOut:
    """Profile, language, eligibility today explained, children, current registration."""
    container = container_of(request)
    found = await run_in_threadpool(profile, container.uow, container.clock, person.person_id)
    out = profile_out(found, translator_for(request))
    out.registration = await run_in_threadpool(_registration_summary, container, person.person_id)
    return out


def _registration_summary(container: Container, person_id: str) -> RegistrationSummaryOut | None:
    with container.uow() as uow:
        current = current_registration(uow, person_id)
    if current is None:
        return None
    return RegistrationSummaryOut(
        id=current.id,
        number=current.number,
        status=current.status.value,
        slip_code=grouped(current.slip_code),
        region=current.address.region,
        address=format_address(current.address),
        stay_from=current.stay_from,
        stay_to=current.stay_to,
    )


@router.patch("", response_model=ProfileOut)
async def change_me(
    request: Request, change: ProfileChangeIn, person: SignedInPerson = Depends(current_person)
) -> ProfileOut:
    """Pick the language everything comes in (``{"language": "uz"}``)."""
    container = container_of(request)
    await run_in_threadpool(choose_language, container.uow, person.person_id, change.language)
    request.state.language = change.language
    found = await run_in_threadpool(profile, container.uow, container.clock, person.person_id)
    return profile_out(found, translator_for(request))


@router.get("/eligibility", response_model=EligibilityOut)
async def my_eligibility(
    request: Request,
    person: SignedInPerson = Depends(current_person),
    on: Annotated[date | None, Query(description="YYYY-MM-DD; today (Moscow) if absent")] = None,
) -> EligibilityOut:
    """As ``/api/v1/eligibility/evaluate``, for the signed-in person, with plain words."""
    container = container_of(request)
    day = on or moscow_date(container.clock.now())
    answer = await run_in_threadpool(eligibility_on, container.uow, person.person_id, day)
    return eligibility_out(answer, day, translator_for(request))


@router.get("/access-log", response_model=AccessLogOut)
async def my_access_log(
    request: Request, person: SignedInPerson = Depends(current_person)
) -> AccessLogOut:
    """Every staff access to your data: when, which role and staff number (never a name), the
    stated purpose in your language with the staff member's words, and what was seen or done."""
    container = container_of(request)
    entries = await run_in_threadpool(access_log, container.uow, person.person_id)
    t = translator_for(request)
    return AccessLogOut(
        entries=[
            AccessOut(
                at=entry.at,
                staff_id=entry.staff_id,
                staff_number=entry.staff_number,
                role=entry.role,
                role_name=t.gettext(entry.role_name),
                action=entry.action,
                purpose=purpose_text(entry.purpose, t),
                what=t.gettext(entry.what),
            )
            for entry in entries
        ]
    )


@router.get("/dependants", response_model=DependantsOut)
async def my_dependants(
    request: Request, person: SignedInPerson = Depends(current_person)
) -> DependantsOut:
    """The children registered under you, and whether you may add one."""
    container = container_of(request)
    found = await run_in_threadpool(profile, container.uow, container.clock, person.person_id)
    return DependantsOut(
        may_add=found.may_add_dependants,
        dependants=[dependant_out(child) for child in found.dependants],
    )


@router.post("/dependants", status_code=201, response_model=DependantOut)
async def add_my_dependant(
    request: Request,
    child: DependantIn,
    person: SignedInPerson = Depends(current_person),
    key: str | None = Depends(idempotency_key),
) -> JSONResponse:
    """Add your child (under 18). Only an adult who must use Amina may; the child gets no
    device and reports nothing. Accepts ``Idempotency-Key``."""
    container = container_of(request)
    new = NewDependant(
        surname_lat=" ".join(child.surname_lat.split()),
        given_names_lat=" ".join(child.given_names_lat.split()),
        surname_cyr=child.surname_cyr,
        given_names_cyr=child.given_names_cyr,
        date_of_birth=child.date_of_birth,
        citizenship=child.citizenship,
    )

    def create(uow: UnitOfWork) -> Answer:
        added = add_dependant(uow, container.clock, person.person_id, new)
        return Answer(201, dependant_out(added).model_dump(mode="json"))

    answer = await run_in_threadpool(
        run_once,
        container.uow,
        container.clock,
        idempotent_request(
            request, f"person:{person.person_id}", key, child.model_dump(mode="json")
        ),
        create,
    )
    return answer_response(answer)
