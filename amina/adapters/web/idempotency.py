"""``Idempotency-Key`` for "create" endpoints (API.md, Conventions), on top of
:mod:`amina.services.idempotency`.

An endpoint that creates something::

    @router.post("/api/v1/me/bookings", status_code=201)
    def book(body: BookingIn, request: Request, person=Depends(current_person),
             key: str | None = Depends(idempotency_key)) -> JSONResponse:
        container = container_of(request)
        answer = run_once(
            container.uow, container.clock,
            idempotent_request(request, f"person:{person.id}", key, body.model_dump(mode="json")),
            lambda uow: Answer(201, booking_json(book_slot(uow, ...))),
        )
        return answer_response(answer)

The same key and body → the first answer again (``Idempotent-Replayed: true``); the same key
with another body → 409 ``idempotency_key_reused``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Header, Request
from fastapi.responses import JSONResponse

from amina.services.idempotency import Answer, IdempotentRequest, check_key, fingerprint

REPLAYED_HEADER = "Idempotent-Replayed"


def idempotency_key(
    key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="Any string up to 200 characters. The same key with the same body "
            "returns the first answer again and creates nothing new.",
            # what check_key accepts, for the OpenAPI description (checked there, answering
            # 400 idempotency_key_invalid rather than a field error)
            json_schema_extra={"minLength": 1, "maxLength": 200, "pattern": "^[ -~]+$"},
        ),
    ] = None,
) -> str | None:
    """A dependency: the request's ``Idempotency-Key`` (checked), or None."""
    return None if key is None else check_key(key)


PERSON_CALLER = "person:"


def idempotent_request(
    request: Request, caller: str, key: str | None, payload: Any, person_id: str | None = None
) -> IdempotentRequest | None:
    """The key scoped to the caller and the endpoint, with the body's fingerprint.

    ``person_id`` is the person the creation is about — the answer is kept with that person's
    data (docs/scale-out.md); by default the calling person (``caller`` ``person:<id>``), and a
    staff endpoint names the person it acts on."""
    if key is None:
        return None
    if person_id is None:
        if not caller.startswith(PERSON_CALLER):
            message = "a staff endpoint names the person its idempotent request is about"
            raise ValueError(message)
        person_id = caller.removeprefix(PERSON_CALLER)
    # the path as requested (with ids), so one key is never shared by two notices or slots
    scope = f"{caller} {request.method} {request.url.path}"
    return IdempotentRequest(scope, key, fingerprint(payload), person_id)


def answer_response(answer: Answer) -> JSONResponse:
    response = JSONResponse(answer.body, status_code=answer.status_code)
    if answer.replayed:
        response.headers[REPLAYED_HEADER] = "true"
    return response
