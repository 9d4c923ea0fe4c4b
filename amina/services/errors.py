"""Errors a use case can end with. Each carries a stable ``code`` that clients branch on, and
English message ids (translated at the edge, never here)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ErrorKind(StrEnum):
    invalid = "invalid"  # 422
    bad_request = "bad_request"  # 400
    unauthorized = "unauthorized"  # 401
    forbidden = "forbidden"  # 403
    not_found = "not_found"  # 404
    conflict = "conflict"  # 409
    too_large = "too_large"  # 413
    rate_limited = "rate_limited"  # 429
    unavailable = "unavailable"  # 503


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    message: str  # English message id
    params: dict[str, Any] = dataclasses.field(default_factory=dict)


class AminaError(Exception):
    """Raised by services; turned into an RFC 9457 problem document by the web adapter."""

    def __init__(
        self,
        code: str,
        kind: ErrorKind,
        title: str,
        detail: str | None = None,
        *,
        params: dict[str, Any] | None = None,
        errors: list[FieldError] | None = None,
        retry_after: int | None = None,
        extensions: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(code)
        self.code = code
        self.kind = kind
        self.title = title
        self.detail = detail
        self.params = params or {}
        self.errors = errors or []
        self.retry_after = retry_after
        self.extensions = extensions or {}
        """Extra members of the problem document (RFC 9457 §3.2), e.g. ``tries_left``."""
