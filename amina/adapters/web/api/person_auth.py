"""Who is calling the person's API (API.md "Conventions").

Reuse in every ``/api/v1/me/...`` endpoint::

    from amina.adapters.web.api.person_auth import current_person
    from amina.services.identity.sessions import SignedInPerson

    @router.get("/api/v1/me/notices")
    def notices(person: SignedInPerson = Depends(current_person)) -> ...:
        ...  # person.person_id

and for location reports (``Authorization: Device <credential>``)::

    def ingest(device: BoundDevice = Depends(current_device)) -> ...:
        ...  # device.person_id, device.device_id

Both set ``request.state.language`` to the person's saved language, so every problem document
(``device_retired`` included) comes out in it.
"""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from amina.adapters.web.context import container_of
from amina.services.identity.sessions import (
    BoundDevice,
    CredentialRefused,
    SignedInPerson,
    authenticate_device,
    authenticate_person,
    device_unknown,
    not_signed_in,
)

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="AccessToken",
    description="`Authorization: Bearer <access_token>` from `POST /api/v1/auth/verify`.",
)
device_header = APIKeyHeader(
    name="Authorization",
    auto_error=False,
    scheme_name="DeviceCredential",
    description="`Authorization: Device <device_credential>` from `POST /api/v1/auth/verify`.",
)

DEVICE_SCHEME = "device"


def _speak_their_language(request: Request, refused: CredentialRefused) -> CredentialRefused:
    if refused.language:
        request.state.language = refused.language
    return refused


async def current_person(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
) -> SignedInPerson:
    """The signed-in person (401 ``not_signed_in`` / ``token_expired`` otherwise)."""
    if credentials is None or not credentials.credentials:
        raise not_signed_in()
    container = container_of(request)
    try:
        person = await run_in_threadpool(
            authenticate_person, container.uow, container.clock, credentials.credentials
        )
    except CredentialRefused as refused:
        raise _speak_their_language(request, refused) from None
    request.state.language = person.language
    request.state.person_id = person.person_id
    return person


def device_credential_of(header: str | None) -> str | None:
    """``Device <credential>`` → the credential (the scheme is case-insensitive)."""
    if not header:
        return None
    scheme, _, credential = header.strip().partition(" ")
    if scheme.lower() != DEVICE_SCHEME or not credential.strip():
        return None
    return credential.strip()


async def current_device(
    request: Request, authorization: str | None = Depends(device_header)
) -> BoundDevice:
    """The person's active reporting device (401 ``device_unknown`` / ``device_retired``)."""
    credential = device_credential_of(authorization)
    if credential is None:
        raise device_unknown()
    container = container_of(request)
    try:
        device = await run_in_threadpool(authenticate_device, container.uow, credential)
    except CredentialRefused as refused:
        raise _speak_their_language(request, refused) from None
    request.state.language = device.language
    request.state.person_id = device.person_id
    return device
