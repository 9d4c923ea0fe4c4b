"""Sign-in endpoints exactly as API.md "Sign-in" (docs/sign-in.md explains the protections).

Codes leave through the SMS gateway only after the answer has been sent (a background task),
so a real card and an unknown one take the same time to answer.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.concurrency import run_in_threadpool

from amina.adapters.web.api.person_auth import current_device, current_person
from amina.adapters.web.context import container_of, language_of
from amina.adapters.web.problems import problem_responses
from amina.services.identity.sessions import BoundDevice, SignedInPerson, renew_access, sign_out
from amina.services.identity.sign_in import (
    CardClaim,
    ChallengeIssued,
    DeviceInfo,
    PassportClaim,
    SignInContext,
    request_code,
    resend_code,
    verify_code,
)

router = APIRouter(prefix="/api/v1/auth", tags=["sign-in"])


class CardMethodIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: Literal["card"]
    card_number: Annotated[str, Field(min_length=1, max_length=40, examples=["UZ0000001"])]
    date_of_birth: date


class PassportMethodIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: Literal["passport"]
    citizenship: Annotated[str, Field(pattern="^[A-Za-z]{2}$", examples=["UZ"])]
    passport_number: Annotated[str, Field(min_length=1, max_length=40, examples=["FA1234567"])]
    date_of_birth: date

    @field_validator("citizenship")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


CodeRequestIn = Annotated[CardMethodIn | PassportMethodIn, Field(discriminator="method")]


class ChallengeOut(BaseModel):
    challenge_id: str
    expires_at: datetime
    resend_after: int = Field(description="Seconds until the code can be sent again.")
    phone_ending: str = Field(
        description=(
            "The last two digits of the phone number the code was sent to, to show the person "
            '("ending in 42"). When no code is sent (unknown card, wrong date of birth) these '
            "are two stand-in digits, fixed for what was typed, so the answer still looks the "
            "same (docs/sign-in.md)."
        ),
        examples=["42"],
    )
    tries: int = Field(description="How many wrong codes each code allows.")


class DeviceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=100)] = "Phone"
    platform: Literal["android", "ios", "web"] = "web"


class VerifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    challenge_id: Annotated[str, Field(min_length=1, max_length=64)]
    code: Annotated[str, Field(pattern="^[0-9]{6}$", examples=["123456"])]
    device: DeviceIn = Field(default_factory=DeviceIn)


class PersonRefOut(BaseModel):
    id: str
    language: str
    language_chosen: bool = Field(
        description="False until the person has picked a language (first sign-in)."
    )


class SignedInOut(BaseModel):
    access_token: str
    expires_at: datetime
    device_credential: str
    person: PersonRefOut


class SignOutIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    retire_device: bool = False


class AccessOut(BaseModel):
    access_token: str
    expires_at: datetime


def _context(request: Request) -> SignInContext:
    container = container_of(request)
    return SignInContext(
        uow=container.uow,
        clock=container.clock,
        wake_outbox=container.wake_outbox,
        secret=container.settings.secret_key,
    )


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _challenge(issued: ChallengeIssued) -> ChallengeOut:
    return ChallengeOut(
        challenge_id=issued.challenge_id,
        expires_at=issued.expires_at,
        resend_after=issued.resend_after,
        phone_ending=issued.phone_ending,
        tries=issued.tries,
    )


@router.post(
    "/otp",
    status_code=202,
    response_model=ChallengeOut,
    responses=problem_responses({429: ["locked_out", "rate_limited"]}),
)
async def ask_for_code(request: Request, body: Annotated[CodeRequestIn, Body()]) -> ChallengeOut:
    """Ask for a one-time code by card (card number + date of birth) or, when the card is
    lost, by passport. The answer is the same whether or not the card exists; a code is sent
    only to the phone on file."""
    claim: CardClaim | PassportClaim = (
        CardClaim(body.card_number, body.date_of_birth)
        if isinstance(body, CardMethodIn)
        else PassportClaim(body.citizenship, body.passport_number, body.date_of_birth)
    )
    issued = await run_in_threadpool(
        request_code,
        _context(request),
        claim,
        client_address=client_address(request),
        language=language_of(request),
    )
    return _challenge(issued)


@router.post(
    "/otp/{challenge_id}/resend",
    status_code=202,
    response_model=ChallengeOut,
    responses=problem_responses(
        {409: ["challenge_closed"], 429: ["resend_too_soon", "locked_out"]}
    ),
)
async def resend(request: Request, challenge_id: str) -> ChallengeOut:
    """Send a new code for the same sign-in; the waits between sends double (30 s, 60 s…),
    given as ``Retry-After`` on a 429 ``resend_too_soon``."""
    issued = await run_in_threadpool(
        resend_code,
        _context(request),
        challenge_id,
        client_address=client_address(request),
    )
    return _challenge(issued)


@router.post(
    "/verify",
    response_model=SignedInOut,
    responses=problem_responses(
        {401: ["otp_invalid", "otp_expired"], 409: ["challenge_closed"], 429: ["locked_out"]}
    ),
)
async def verify(request: Request, body: VerifyIn) -> SignedInOut:
    """Check the code. Right: an access token and a device credential (binding this device
    retires the person's previous one). Wrong: 401 ``otp_invalid`` with ``tries_left``; too
    many attempts: 429 ``locked_out`` with ``Retry-After`` and ``locked_until`` (no new code is
    sent before then)."""
    signed_in = await run_in_threadpool(
        verify_code,
        _context(request),
        body.challenge_id,
        body.code,
        DeviceInfo(body.device.name, body.device.platform),
        client_address=client_address(request),
        language=language_of(request),
    )
    return SignedInOut(
        access_token=signed_in.access_token,
        expires_at=signed_in.expires_at,
        device_credential=signed_in.device_credential,
        person=PersonRefOut(
            id=signed_in.person_id,
            language=signed_in.language,
            language_chosen=signed_in.language_chosen,
        ),
    )


@router.post("/sign-out", status_code=204, response_class=Response)
async def end_session(
    request: Request,
    person: SignedInPerson = Depends(current_person),
    body: SignOutIn | None = None,
) -> Response:
    """End this session. The device keeps reporting unless ``retire_device`` is true."""
    container = container_of(request)
    await run_in_threadpool(
        sign_out,
        container.uow,
        container.clock,
        person,
        retire=bool(body and body.retire_device),
    )
    return Response(status_code=204)


@router.post("/refresh", response_model=AccessOut)
async def refresh(request: Request, device: BoundDevice = Depends(current_device)) -> AccessOut:
    """A new access token for the device's person, with ``Authorization: Device <credential>``
    (no code: the device proved itself at sign-in). A retired device gets 401
    ``device_retired``."""
    container = container_of(request)
    granted = await run_in_threadpool(renew_access, container.uow, container.clock, device)
    return AccessOut(access_token=granted.access_token, expires_at=granted.expires_at)
