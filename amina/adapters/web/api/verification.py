"""Host verification: ``GET /api/v1/verify/{code}`` (API.md, public), shared with the /verify page.

A host sees only initials, the address and the date the registration is valid until, and
whether it is valid. An unknown code and a malformed one get the same 404 answer.

Lookups are limited per client address (:data:`LOOKUPS_PER_WINDOW` per :data:`WINDOW`), in
process memory: each replica counts on its own, so behind a load balancer with N replicas a
client gets at most N times the limit (put a limit at the load balancer too). The client
address is the one uvicorn reports (``--proxy-headers``/``--forwarded-allow-ips`` decide
whether a proxy's ``X-Forwarded-For`` is trusted). Addresses are kept only in memory, only for
the window, and never logged. Every lookup is counted in ``amina_verify_lookups_total`` by
result (``valid``, ``not_valid``, ``unknown``, ``rate_limited``): counts only, no codes.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from math import ceil
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from prometheus_client import Counter
from pydantic import BaseModel

from amina.adapters.web.context import container_of
from amina.domain.slip import HostView
from amina.i18n import N_
from amina.services.errors import AminaError, ErrorKind
from amina.services.registration.host_verification import verify_slip

router = APIRouter(tags=["host verification"])

LOOKUPS_PER_WINDOW = 30
WINDOW = timedelta(minutes=10)
#: Forget clients beyond this many (oldest first), so a flood of addresses cannot fill memory.
MAX_CLIENTS = 100_000

Result = Literal["valid", "not_valid", "unknown", "rate_limited"]


class SlidingWindowLimiter:
    """At most ``limit`` hits per ``window`` for each key; thread-safe, in memory."""

    def __init__(self, limit: int, window: timedelta, max_keys: int = MAX_CLIENTS) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._hits: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, now: datetime) -> int | None:
        """Count a hit; None if allowed, else the seconds until the next one is allowed."""
        with self._lock:
            hits = self._hits.pop(key, None) or deque()
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            self._hits[key] = hits  # re-inserted last: the dict stays ordered by recent use
            if len(hits) >= self.limit:
                return max(1, ceil((hits[0] + self.window - now).total_seconds()))
            hits.append(now)
            while len(self._hits) > self.max_keys:
                del self._hits[next(iter(self._hits))]
            return None


@dataclass
class Verification:
    limiter: SlidingWindowLimiter
    lookups: Counter

    def count(self, result: Result) -> None:
        self.lookups.labels(result).inc()


_SETUP = threading.Lock()


def verification(request: Request) -> Verification:
    """The app's limiter and counter, made on first use (one per app)."""
    state = request.app.state
    found: Verification | None = getattr(state, "verification", None)
    if found is not None:
        return found
    with _SETUP:
        found = getattr(state, "verification", None)
        if found is None:
            found = Verification(
                SlidingWindowLimiter(LOOKUPS_PER_WINDOW, WINDOW),
                state.metrics.counter(
                    "amina_verify_lookups_total",
                    "Slip code lookups by hosts, by result (valid, not_valid, unknown, "
                    "rate_limited)",
                    ("result",),
                ),
            )
            state.verification = found
    return found


def rate_limited(retry_after: int) -> AminaError:
    return AminaError(
        "rate_limited",
        ErrorKind.rate_limited,
        N_("Too many checks"),
        N_("You have checked too many codes in a short time. Try again in a few minutes."),
        retry_after=retry_after,
    )


def look_up(request: Request, typed_code: str) -> HostView | None:
    """Check a slip code for a host: rate-limited per client, counted by result."""
    container = container_of(request)
    guard = verification(request)
    client = request.client.host if request.client else "unknown"
    retry_after = guard.limiter.hit(client, container.clock.now())
    if retry_after is not None:
        guard.count("rate_limited")
        raise rate_limited(retry_after)
    with container.uow() as uow:
        view = verify_slip(uow, container.clock, typed_code)
    if view is None:
        guard.count("unknown")
    else:
        guard.count("valid" if view.valid else "not_valid")
    return view


class VerificationOut(BaseModel):
    status: Literal["valid", "not_valid"]
    initials: str | None
    address: str | None
    valid_until: date | None


UNKNOWN = VerificationOut(status="not_valid", initials=None, address=None, valid_until=None)


@router.get(
    "/api/v1/verify/{code}",
    response_model=VerificationOut,
    responses={
        404: {"model": VerificationOut, "description": "Unknown or malformed code"},
        429: {"description": "Too many lookups from this client (Retry-After)"},
    },
)
def verify_endpoint(code: str, request: Request) -> JSONResponse:
    """Is the registration on this slip valid? Shows initials, address and valid-until only."""
    view = look_up(request, code)
    if view is None:
        body, status = UNKNOWN, 404
    else:
        body, status = (
            VerificationOut(
                status="valid" if view.valid else "not_valid",
                initials=view.initials,
                address=view.address,
                valid_until=view.valid_until,
            ),
            200,
        )
    return JSONResponse(
        body.model_dump(mode="json"), status_code=status, headers={"Cache-Control": "no-store"}
    )
