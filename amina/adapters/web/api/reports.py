"""``POST /api/v1/reports``: location reports from the person's device (API.md "Location
reports"; the protocol for app developers is docs/reports.md).

The hot path of the whole system (PERFORMANCE.md). The body is read as bytes and decoded with
orjson, items are validated by hand (no pydantic model per report), the device credential is
looked up through a short per-worker cache, and the answer is encoded with orjson. The models
below only describe the body and the answer in the OpenAPI document.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from amina.adapters.db.reports.store import IngestContext
from amina.adapters.web.api.person_auth import device_credential_of, device_header
from amina.adapters.web.api.report_body import read_batch
from amina.adapters.web.context import container_of, translator_for
from amina.adapters.web.problems import problem_response
from amina.domain.reports import (
    ACCURACY_MIN_M,
    APP_VERSION_MAX_LENGTH,
    CLIENT_ID_MAX_LENGTH,
    CLIENT_ID_MIN_LENGTH,
    LAT_MAX,
    LAT_MIN,
    LON_MAX,
    LON_MIN,
    MAX_ALTITUDE_M,
    MAX_SPEED_MPS,
    MIN_ALTITUDE_M,
    MIN_SPEED_MPS,
    PROVIDER_MAX_LENGTH,
)
from amina.i18n import N_, Translator
from amina.services.errors import AminaError, ErrorKind
from amina.services.identity.sessions import CredentialRefused, device_unknown
from amina.services.reports.ingest import MAX_BATCH, Batch, IngestOutcome, ItemError

if TYPE_CHECKING:
    from amina.bootstrap import ReportHotPath

router = APIRouter(tags=["reports"])


# --- the OpenAPI description (not used to parse: see the module docstring) -------------------


class ReportIn(BaseModel):
    client_id: Annotated[
        str,
        Field(
            min_length=CLIENT_ID_MIN_LENGTH,
            max_length=CLIENT_ID_MAX_LENGTH,
            description="Made by the app once per report (a UUID is fine) and sent again "
            "unchanged when the report is re-sent",
        ),
    ]
    device_time: Annotated[
        str, Field(description="RFC 3339 with offset: when the phone took the fix")
    ]
    lat: Annotated[float, Field(ge=LAT_MIN, le=LAT_MAX)]
    lon: Annotated[float, Field(ge=LON_MIN, le=LON_MAX)]
    accuracy_m: Annotated[float, Field(ge=ACCURACY_MIN_M)]
    speed_mps: Annotated[
        float | None,
        Field(ge=MIN_SPEED_MPS, le=MAX_SPEED_MPS, description="Metres per second, if known"),
    ] = None
    altitude_m: Annotated[
        float | None,
        Field(ge=MIN_ALTITUDE_M, le=MAX_ALTITUDE_M, description="Metres above sea level, if known"),
    ] = None
    provider: Annotated[str | None, Field(max_length=PROVIDER_MAX_LENGTH, examples=["gps"])] = None
    mocked: bool = False


class StatusIn(BaseModel):
    at: Annotated[
        str | None, Field(description="RFC 3339: when the phone saw this (arrival if absent)")
    ] = None
    location_permission: bool | None = None
    location_services: bool | None = None
    battery_saver: bool | None = None
    app_version: Annotated[str | None, Field(max_length=APP_VERSION_MAX_LENGTH)] = None


class BatchIn(BaseModel):
    reports: Annotated[list[ReportIn], Field(max_length=MAX_BATCH)] = []
    status: StatusIn | None = Field(
        default=None, description="The device's status; alone (no reports) it is a heartbeat"
    )


class ItemErrorOut(BaseModel):
    code: str
    field: str | None
    message: str = Field(description="In the person's language")


class ResultOut(BaseModel):
    client_id: Annotated[str | None, Field(max_length=CLIENT_ID_MAX_LENGTH)]
    status: Literal["accepted", "duplicate", "rejected"]
    flags: list[str]
    error: ItemErrorOut | None


class StatusResultOut(BaseModel):
    status: Literal["accepted", "duplicate", "rejected"]
    error: ItemErrorOut | None


class ResultsOut(BaseModel):
    results: list[ResultOut] = Field(description="One per report, in the order sent")
    device_status: StatusResultOut | None = Field(
        default=None, description="Present when the body carried a status"
    )


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """A pydantic JSON schema with its ``$defs`` inlined (for ``openapi_extra``)."""
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(definitions[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    return resolve(schema)  # type: ignore[no-any-return]


REQUEST_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "oneOf": [
                    _inline(ReportIn.model_json_schema()),
                    _inline(BatchIn.model_json_schema()),
                ]
            }
        }
    },
}


# --- per-worker state -----------------------------------------------------------------------


def _hot_path(request: Request) -> ReportHotPath:
    return container_of(request).reports


def _counter(request: Request) -> Any:
    counter = getattr(request.app.state, "reports_counter", None)
    if counter is None:
        counter = request.app.state.metrics.counter(
            "amina_location_reports_total",
            "Location report items received, by result",
            ("status",),
        )
        request.app.state.reports_counter = counter
    return counter


# --- the endpoint ---------------------------------------------------------------------------


class UnsupportedMediaType(AminaError):
    """The body is not JSON: answered ``415`` by the endpoint (no generic error kind has
    that status)."""


def unsupported_media_type() -> AminaError:
    return UnsupportedMediaType(
        "unsupported_media_type",
        ErrorKind.bad_request,
        N_("Send JSON"),
        N_("This endpoint accepts only application/json."),
    )


def malformed_json() -> AminaError:
    return AminaError(
        "malformed_json",
        ErrorKind.bad_request,
        N_("Malformed JSON"),
        N_("The request body is not valid JSON."),
    )


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def _error(error: ItemError | None, t: Translator | None) -> dict[str, Any] | None:
    if error is None or t is None:
        return None
    return {
        "code": error.code,
        "field": error.field,
        "message": t.gettext(error.message, **error.params),
    }


def answer(outcome: IngestOutcome, t: Translator | None) -> bytes:
    if t is None:
        # nothing to translate: orjson writes the results (dataclasses) itself, in order
        # client_id, status, flags, error — the answer's shape
        plain: dict[str, Any] = {"results": outcome.results}
        if outcome.status is not None:
            plain["device_status"] = outcome.status
        return orjson.dumps(plain)
    body: dict[str, Any] = {
        "results": [
            {
                # a refused over-long client id is not echoed back in full
                "client_id": r.client_id and r.client_id[:CLIENT_ID_MAX_LENGTH],
                "status": r.status,
                "flags": r.flags,
                "error": _error(r.error, t),
            }
            for r in outcome.results
        ]
    }
    if outcome.status is not None:
        body["device_status"] = {
            "status": outcome.status.status,
            "error": _error(outcome.status.error, t),
        }
    return orjson.dumps(body)


@router.post(
    "/api/v1/reports",
    response_model=ResultsOut,
    openapi_extra={"requestBody": REQUEST_BODY},
    responses={
        400: {"description": "Malformed JSON (`malformed_json`)"},
        401: {"description": "`device_unknown` or `device_retired`"},
        413: {
            "description": "Body over 1 MiB (`payload_too_large`) or more than 1,000 reports "
            "(`batch_too_large`)"
        },
        415: {"description": "Not JSON (`unsupported_media_type`)"},
        422: {"description": "Neither a report nor a batch (`batch_invalid`)"},
    },
)
async def receive_reports(
    request: Request, authorization: str | None = Depends(device_header)
) -> Response:
    """One location report, or ``{"reports": [...], "status": {...}}`` (up to 1,000 reports;
    a body with only ``status`` is a heartbeat). One result per report, in order: ``accepted``
    and ``duplicate`` mean durably stored (the answer leaves after COMMIT); ``rejected``
    carries a translated error and the rest of the batch is still stored. Device credential:
    ``Authorization: Device <credential>`` (401 ``device_unknown`` / ``device_retired``)."""
    return await reports_answer(request, authorization)


async def reports_answer(request: Request, authorization: str | None) -> Response:
    """The answer to ``POST /api/v1/reports`` given its ``Authorization`` header, or the
    :class:`AminaError` (or database error) the app's exception handlers turn into a problem.
    Called by the route above and by the plain ASGI path that serves it in front of FastAPI
    (:mod:`amina.adapters.web.report_route`): one behaviour, two ways in."""
    credential = device_credential_of(authorization)
    if credential is None:
        raise device_unknown()
    state = _hot_path(request)
    remembered = state.refused.refusal(credential)
    if remembered is not None:
        raise _spoken(request, remembered)
    try:
        batch = await _read(request)
    except AminaError as error:
        # the body is wrong; but a stranger learns nothing but "who are you?"
        device = await _checked(request, state, credential)
        if device.language:
            request.state.language = device.language
        if isinstance(error, UnsupportedMediaType):
            return problem_response(
                translator_for(request),
                status=415,
                code=error.code,
                title=error.title,
                detail=error.detail,
            )
        raise
    try:
        if state.stores is not None:
            outcome = await state.ingest.ingest_from_device_async(credential, batch, state.stores)
        else:
            outcome = await run_in_threadpool(state.ingest.ingest_from_device, credential, batch)
    except CredentialRefused as refused:
        state.refused.remember(credential, refused)
        raise _spoken(request, refused) from None
    if outcome.language:
        request.state.language = outcome.language
    request.state.person_id = outcome.person_id
    counted = _counter(request)
    for status in ("accepted", "duplicate", "rejected"):
        count = outcome.count(status)
        if count:
            counted.labels(status).inc(count)
    # a translator only when something needs words (building one touches the disk)
    t = translator_for(request) if outcome.has_errors else None
    return Response(answer(outcome, t), media_type="application/json")


async def _read(request: Request) -> Batch:
    if not _is_json(request.headers.get("content-type", "")):
        raise unsupported_media_type()
    raw = await request.body()
    try:
        payload = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise malformed_json() from None
    return read_batch(payload)


async def _checked(request: Request, state: ReportHotPath, credential: str) -> IngestContext:
    try:
        return await run_in_threadpool(state.ingest.check_device, credential)
    except CredentialRefused as refused:
        state.refused.remember(credential, refused)
        raise _spoken(request, refused) from None


def _spoken(request: Request, refused: CredentialRefused) -> CredentialRefused:
    if refused.language:
        request.state.language = refused.language
    return refused
