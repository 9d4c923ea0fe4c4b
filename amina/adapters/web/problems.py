"""RFC 9457 problem documents with translated titles and details (API.md, "Errors")."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from amina.adapters.db.availability import DATABASE_UNAVAILABLE
from amina.adapters.web.context import translator_for
from amina.i18n import N_, Translator
from amina.services.errors import AminaError, ErrorKind, FieldError

STATUS = {
    ErrorKind.invalid: 422,
    ErrorKind.bad_request: 400,
    ErrorKind.unauthorized: 401,
    ErrorKind.forbidden: 403,
    ErrorKind.not_found: 404,
    ErrorKind.conflict: 409,
    ErrorKind.too_large: 413,
    ErrorKind.rate_limited: 429,
    ErrorKind.unavailable: 503,
}

PROBLEM_JSON = "application/problem+json"
#: What a client is told to wait before sending again while the database cannot be reached.
UNAVAILABLE_RETRY_AFTER_SECONDS = 5

log = structlog.get_logger("amina.web")
TYPE_BASE = "https://amina.example/problems/"

#: Messages for pydantic's error types, by type; the field name is added by the client.
VALIDATION_MESSAGES: dict[str, str] = {
    "missing": N_("This field is required."),
    "string_type": N_("Enter text."),
    "string_too_long": N_("This text is too long."),
    "string_too_short": N_("This text is too short."),
    "string_pattern_mismatch": N_("This value has the wrong format."),
    "int_parsing": N_("Enter a whole number."),
    "int_type": N_("Enter a whole number."),
    "float_parsing": N_("Enter a number."),
    "float_type": N_("Enter a number."),
    "bool_parsing": N_("Enter true or false."),
    "date_from_datetime_parsing": N_("Enter a date as YYYY-MM-DD."),
    "date_parsing": N_("Enter a date as YYYY-MM-DD."),
    "date_type": N_("Enter a date as YYYY-MM-DD."),
    "datetime_parsing": N_("Enter a time in RFC 3339 format with an offset."),
    "datetime_from_date_parsing": N_("Enter a time in RFC 3339 format with an offset."),
    "timezone_aware": N_("Enter a time in RFC 3339 format with an offset."),
    "literal_error": N_("This value is not one of the allowed choices."),
    "enum": N_("This value is not one of the allowed choices."),
    "greater_than_equal": N_("This number is too small."),
    "less_than_equal": N_("This number is too large."),
    "greater_than": N_("This number is too small."),
    "less_than": N_("This number is too large."),
    "extra_forbidden": N_("This field is not allowed here."),
    "model_type": N_("This value has the wrong shape."),
    "dict_type": N_("This value has the wrong shape."),
    "list_type": N_("Enter a list."),
    "too_long": N_("This list is too long."),
    "value_error": N_("This value is not valid."),
}
FALLBACK_VALIDATION_MESSAGE = N_("This value is not valid.")


# --- the problem document in the OpenAPI description ---------------------------------------------


class ProblemFieldError(BaseModel):
    field: str = Field(description="The field at fault (dotted path into the body or parameter)")
    code: str = Field(description="Stable; clients branch on it")
    message: str = Field(description="In the caller's language")


class Problem(BaseModel):
    """An RFC 9457 problem document (``application/problem+json``)."""

    type: str
    title: str = Field(description="In the caller's language")
    status: int
    code: str = Field(description="Stable; clients branch on it")
    detail: str | None = Field(default=None, description="In the caller's language")
    errors: list[ProblemFieldError] | None = Field(
        default=None, description="One per field at fault (validation_failed and the like)"
    )


PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

#: The codes the framework itself answers with, by status: every operation that takes a body,
#: parameters or credentials can give them (added to each operation by :func:`document_problems`).
BODY_PROBLEMS = {
    400: ["malformed_json", "request_incomplete"],
    413: ["payload_too_large"],
    422: ["validation_failed"],
}
PARAMETER_PROBLEMS = {422: ["validation_failed"]}
PERSON_PROBLEMS = {401: ["unauthorized", "token_expired", "device_unknown", "device_retired"]}
IDEMPOTENCY_PROBLEMS = {400: ["idempotency_key_invalid"], 409: ["idempotency_key_reused"]}
#: Every operation that reads or writes data answers this while the database cannot be reached.
UNAVAILABLE_PROBLEMS = {503: ["service_unavailable"]}
STAFF_PROBLEMS = {401: ["staff_sign_in_required"], 403: ["forbidden", "csrf_invalid"]}


def problem_responses(codes: dict[int, list[str]]) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` entry of a route for the problems it gives: status → its codes. Each
    is declared as ``application/problem+json`` with the :class:`Problem` schema and the codes
    listed (``codes`` in the description; :func:`document_problems` adds the ones every route
    of its shape gives)."""
    return {
        status: {
            "description": ", ".join(f"`{code}`" for code in found),
            "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}},
        }
        for status, found in codes.items()
    }


def _declare(responses: dict[str, Any], status: int, codes: list[str]) -> None:
    entry = responses.setdefault(str(status), {"description": ""})
    described = entry.get("description") or ""
    missing = [f"`{code}`" for code in codes if code not in described]
    if missing:
        entry["description"] = ", ".join(filter(None, [described, *missing]))
    content = entry.get("content") or {}
    if content and "HTTPValidationError" not in str(content):
        return  # an answer of its own (not a problem document), declared by the route
    entry["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF}}


def _document(schema: dict[str, Any]) -> dict[str, Any]:  # noqa: PLR0912 (one branch per kind of route)
    for path, operations in schema.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue  # /healthz, /readyz, /metrics, /dev: their own answers
        for operation in operations.values():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            shapes: list[dict[int, list[str]]] = [UNAVAILABLE_PROBLEMS]
            if "requestBody" in operation:
                shapes.append(BODY_PROBLEMS)
            if operation.get("parameters"):
                shapes.append(PARAMETER_PROBLEMS)
            if operation.get("security"):
                shapes.append(PERSON_PROBLEMS)
            if path.startswith("/api/v1/staff/"):
                shapes.append(STAFF_PROBLEMS)
            if any(p.get("name") == "Idempotency-Key" for p in operation.get("parameters", [])):
                shapes.append(IDEMPOTENCY_PROBLEMS)
            for shape in shapes:
                for status, codes in shape.items():
                    _declare(responses, status, codes)
            for key in list(responses):
                if key.isdigit() and int(key) >= 400:
                    _declare(responses, int(key), [])
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (Problem, ProblemFieldError):
        components[model.__name__] = model.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
    return schema


def document_problems(app: FastAPI) -> None:
    """Every operation's OpenAPI declares the problem responses it gives, as
    ``application/problem+json`` with the :class:`Problem` schema: its own (``responses=``,
    see :func:`problem_responses`) and those of its shape (a body, parameters, credentials, the
    staff API). Built once, when the OpenAPI document is first asked for."""
    plain = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _document(plain())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def problem_response(
    translator: Translator,
    *,
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    params: dict[str, Any] | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    extensions: dict[str, Any] | None = None,
) -> JSONResponse:
    params = params or {}
    body: dict[str, Any] = {
        "type": TYPE_BASE + code,
        "title": translator.gettext(title, **params),
        "status": status,
        "code": code,
        "detail": translator.gettext(detail, **params) if detail else None,
    }
    if errors:
        body["errors"] = [
            {"field": e.field, "code": e.code, "message": translator.gettext(e.message, **e.params)}
            for e in errors
        ]
    for name, value in (extensions or {}).items():
        body.setdefault(name, value)
    response = JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)
    response.headers["Content-Language"] = translator.language
    return response


def malformed_json_response(translator: Translator) -> JSONResponse:
    """400 ``malformed_json``: the body is not strict JSON (not UTF-8, a syntax error, or a
    number JSON does not have: ``NaN``, ``Infinity``)."""
    return problem_response(
        translator,
        status=400,
        code="malformed_json",
        title=N_("Malformed JSON"),
        detail=N_("The request body is not valid JSON."),
    )


def request_incomplete_response(translator: Translator) -> JSONResponse:
    """400 ``request_incomplete``: the client went away before its body was whole (a phone
    losing its network mid-upload). Nothing was read, so nothing was stored; the answer is
    given (and logged as a 400, not a 500) even if nobody is left to read it."""
    return problem_response(
        translator,
        status=400,
        code="request_incomplete",
        title=N_("Request incomplete"),
        detail=N_("The request body ended before all of it arrived. Nothing was stored."),
    )


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def validation_errors(exc: RequestValidationError) -> tuple[str, list[FieldError]]:
    errors: list[FieldError] = []
    malformed = False
    for item in exc.errors():
        kind = str(item.get("type", "value_error"))
        if kind == "json_invalid":
            malformed = True
            continue
        ctx = item.get("ctx") or {}
        if kind == "value_error" and isinstance(ctx.get("error"), ValueError):
            # our own validators raise ValueError("<code>|<message id>")
            raw = str(ctx["error"])
            code, _, message = raw.partition("|")
            errors.append(FieldError(_field_name(item["loc"]), code, message or raw))
            continue
        message = VALIDATION_MESSAGES.get(kind, FALLBACK_VALIDATION_MESSAGE)
        errors.append(FieldError(_field_name(item["loc"]), kind, message))
    return ("malformed_json" if malformed else "validation_failed"), errors


def install(app: FastAPI) -> None:
    document_problems(app)

    @app.exception_handler(AminaError)
    async def _amina_error(request: Request, exc: AminaError) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
        return problem_response(
            translator_for(request),
            status=STATUS[exc.kind],
            code=exc.code,
            title=exc.title,
            detail=exc.detail,
            params=exc.params,
            errors=exc.errors,
            headers=headers,
            extensions=exc.extensions,
        )

    async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        # the error's class only: a driver's message can carry a host name or a statement
        log.warning("database_unavailable", error=type(exc).__name__)
        return problem_response(
            translator_for(request),
            status=503,
            code="service_unavailable",
            title=N_("Service temporarily unavailable"),
            detail=N_("The service cannot reach its data right now. Try again in a moment."),
            headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER_SECONDS)},
        )

    for unavailable in DATABASE_UNAVAILABLE:
        app.add_exception_handler(unavailable, _database_unavailable)

    @app.exception_handler(ClientDisconnect)
    async def _request_incomplete(request: Request, _exc: ClientDisconnect) -> JSONResponse:
        return request_incomplete_response(translator_for(request))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        code, errors = validation_errors(exc)
        if code == "malformed_json":
            return malformed_json_response(translator_for(request))
        return problem_response(
            translator_for(request),
            status=422,
            code="validation_failed",
            title=N_("Some fields are not valid"),
            detail=N_("Correct the fields listed and send the request again."),
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        known = {
            404: ("not_found", N_("Not found"), N_("There is nothing at this address.")),
            405: (
                "method_not_allowed",
                N_("Method not allowed"),
                N_("This address does not accept this kind of request."),
            ),
            413: (
                "payload_too_large",
                N_("Request too large"),
                N_("The request body is larger than this endpoint accepts."),
            ),
        }
        code, title, detail = known.get(
            exc.status_code, ("http_error", N_("Request failed"), N_("The request failed."))
        )
        return problem_response(
            translator_for(request),
            status=exc.status_code,
            code=code,
            title=title,
            detail=detail,
            headers=dict(exc.headers) if exc.headers else None,  # a 405's Allow
        )
