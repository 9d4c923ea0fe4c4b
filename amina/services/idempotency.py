"""Writes that create something, made safe to repeat with an ``Idempotency-Key`` (API.md).

The same key with the same request gives the first answer again and creates nothing new; the
same key with a different request is refused (409 ``idempotency_key_reused``). The answer is
stored in the same transaction as what it reports, so a key is never remembered for a creation
that did not commit, nor a creation committed without its key.

Any "create" use case can use it: describe the creation as a function of the unit of work that
returns the answer, and hand it to :func:`run_once`::

    def create(uow: UnitOfWork) -> Answer:
        booking = book_slot(uow, clock, person_id, request)
        return Answer(201, booking_json(booking))

    request = IdempotentRequest(scope, key, fingerprint(body), person_id)
    answer = run_once(container.uow, clock, request, create)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from amina.adapters.db.idempotency import IdempotencyKeyRow
from amina.adapters.db.results import rowcount
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.i18n import N_
from amina.services.clock import Clock
from amina.services.errors import AminaError, ErrorKind

MAX_KEY_LENGTH = 200
KEY_REUSED = "idempotency_key_reused"


@dataclass(frozen=True)
class Answer:
    """What a creation answered: an HTTP status and a JSON body."""

    status_code: int
    body: dict[str, Any]
    replayed: bool = False


@dataclass(frozen=True)
class IdempotentRequest:
    """Whose key (``scope``: the caller and the endpoint), the key, the request's hash, and
    the person the creation is about (the answer is kept with that person's data)."""

    scope: str
    key: str
    fingerprint: str
    person_id: str


def fingerprint(payload: Any) -> str:
    """A hash of the request's meaning: the same JSON value gives the same hash, whatever the
    key order or spacing it was sent with."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def key_reused() -> AminaError:
    return AminaError(
        KEY_REUSED,
        ErrorKind.conflict,
        N_("This Idempotency-Key was already used"),
        N_(
            "The same Idempotency-Key was sent earlier with a different request. Use a new key "
            "for a new request."
        ),
    )


def key_invalid() -> AminaError:
    return AminaError(
        "idempotency_key_invalid",
        ErrorKind.bad_request,
        N_("Invalid Idempotency-Key"),
        N_("The Idempotency-Key header must be between 1 and 200 characters long."),
    )


def check_key(key: str) -> str:
    """The key as sent, if it is acceptable (1–200 printable characters)."""
    if not 0 < len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        raise key_invalid()
    return key


def stored_answer(uow: UnitOfWork, request: IdempotentRequest) -> Answer | None:
    """The first answer given to this key, if any; refuses a key reused for another request."""
    row = uow.session.scalar(
        select(IdempotencyKeyRow).where(
            IdempotencyKeyRow.person_id == request.person_id,
            IdempotencyKeyRow.scope == request.scope,
            IdempotencyKeyRow.key == request.key,
        )
    )
    if row is None:
        return None
    if row.request_hash != request.fingerprint:
        raise key_reused()
    return Answer(row.status_code, dict(row.response_body), replayed=True)


def remember_answer(
    uow: UnitOfWork, clock: Clock, request: IdempotentRequest, answer: Answer
) -> None:
    """Store the answer in the caller's transaction (flushed, so a concurrent twin fails now)."""
    uow.session.add(
        IdempotencyKeyRow(
            person_id=request.person_id,
            scope=request.scope,
            key=request.key,
            request_hash=request.fingerprint,
            status_code=answer.status_code,
            response_body=answer.body,
            created_at=clock.now(),
        )
    )
    uow.session.flush()


def _answer_of_the_winner(
    uow_factory: UnitOfWorkFactory, request: IdempotentRequest | None
) -> Answer | None:
    if request is None:
        return None
    with uow_factory() as uow:
        return stored_answer(uow, request)


def run_once(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    request: IdempotentRequest | None,
    create: Callable[[UnitOfWork], Answer],
) -> Answer:
    """Run ``create`` in one unit of work and commit it with its answer, unless this request
    was answered before (then give that answer again and create nothing).

    Two identical requests that race each other: the loser's transaction fails on a unique
    constraint (its creation, or the key itself); it then finds the winner's stored answer and
    gives it. Without a key, a conflict is reported as it is.
    """
    try:
        with uow_factory() as uow:
            if request is not None:
                earlier = stored_answer(uow, request)
                if earlier is not None:
                    return earlier
            answer = create(uow)
            if request is not None:
                remember_answer(uow, clock, request, answer)
            uow.commit()
            return answer
    except AminaError as error:
        if error.kind is not ErrorKind.conflict or error.code == KEY_REUSED:
            raise
        winner = _answer_of_the_winner(uow_factory, request)
        if winner is None:
            raise
        return winner
    except IntegrityError as error:
        winner = _answer_of_the_winner(uow_factory, request)
        if winner is None:
            raise AminaError(
                "conflict",
                ErrorKind.conflict,
                N_("Please try again"),
                N_("Another change was saved at the same moment."),
            ) from error
        return winner


def forget_old_keys(uow_factory: UnitOfWorkFactory, clock: Clock, keep_days: int) -> int:
    """Delete remembered answers older than ``keep_days`` (the system's daily job).

    A stored answer repeats what was created — addresses, names — so it is kept only as long as
    a phone may still re-send the request, then forgotten (data minimisation, SPEC §10).
    """
    cutoff = clock.now() - timedelta(days=keep_days)
    with uow_factory() as uow:
        result = uow.session.execute(
            delete(IdempotencyKeyRow).where(IdempotencyKeyRow.created_at < cutoff)
        )
        gone = rowcount(result)
        uow.commit()
    return gone
