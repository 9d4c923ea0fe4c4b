"""RFC 9457 problem documents with translated titles and details (API.md, "Errors")."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

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
    response = JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)
    response.headers["Content-Language"] = translator.language
    return response


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
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        code, errors = validation_errors(exc)
        if code == "malformed_json":
            return problem_response(
                translator_for(request),
                status=400,
                code="malformed_json",
                title=N_("Malformed JSON"),
                detail=N_("The request body is not valid JSON."),
            )
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
        )
