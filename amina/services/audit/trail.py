"""The one way staff access to a person's data is recorded (SPEC §10).

Every staff read or write of a person's data calls :func:`record_access` inside the same unit
of work as the read or write, so the entry commits with it or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from amina.adapters.db.audit.tables import AuditEntryRow
from amina.adapters.db.uow import UnitOfWork
from amina.domain.audit import GENESIS, AuditFacts, ChainReport, entry_hash, verify_chain
from amina.domain.purposes import MIN_PURPOSE_LENGTH, PURPOSE_CODE, Purpose
from amina.i18n import N_
from amina.services.clock import Clock
from amina.services.errors import AminaError, ErrorKind, FieldError

__all__ = ["MIN_PURPOSE_LENGTH", "Actor", "Purpose", "purpose_required", "record_access"]


@dataclass(frozen=True)
class Actor:
    """A signed-in staff member (or the system, with ``staff_id`` None and role 'system')."""

    staff_id: str | None
    role: str


SYSTEM = Actor(staff_id=None, role="system")


def purpose_required() -> AminaError:
    return AminaError(
        "purpose_required",
        ErrorKind.invalid,
        N_("State the purpose"),
        N_("Every access to a person's data needs a stated purpose."),
        errors=[
            FieldError(
                "purpose",
                "purpose_required",
                N_("Describe why you need this data (at least 5 characters)."),
            )
        ],
    )


def _lock_chain_head(uow: UnitOfWork) -> None:
    # PostgreSQL: serialise appenders so the chain never forks (the unique prev_hash would
    # refuse a fork anyway; the lock turns a refused commit into a short wait).
    # SQLite: every transaction already starts with BEGIN IMMEDIATE.
    if uow.dialect == "postgresql":
        uow.session.execute(text("SELECT pg_advisory_xact_lock(727001)"))


def record_access(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    *,
    action: str,
    purpose: str | Purpose,
    person_id: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> int:
    """Append one audit entry in the caller's transaction. Returns its sequence number.

    Called by every service that lets staff read or change a person's data; ``purpose`` is
    required and is shown to the person in their access log: free text (the staff API, a
    decision's reason), or a :class:`Purpose` chosen from the list, kept as its code (in
    ``details``) and its free text (``amina.domain.purposes``).
    """
    details = dict(details or {})
    if isinstance(purpose, Purpose):
        if actor.role != "system" and not purpose.is_stated():
            raise purpose_required()
        details[PURPOSE_CODE] = purpose.code
        text = purpose.details
    else:
        text = purpose.strip()
        if actor.role != "system" and len(text) < MIN_PURPOSE_LENGTH:
            raise purpose_required()
    _lock_chain_head(uow)
    last = uow.session.execute(
        select(AuditEntryRow.seq, AuditEntryRow.entry_hash)
        .order_by(AuditEntryRow.seq.desc())
        .limit(1)
    ).first()
    seq = 1 if last is None else last.seq + 1
    prev_hash = GENESIS if last is None else last.entry_hash
    facts = AuditFacts(
        seq=seq,
        occurred_at=clock.now(),
        staff_id=actor.staff_id,
        role=actor.role,
        action=action,
        person_id=person_id,
        purpose=text,
        details=details,
    )
    uow.session.add(
        AuditEntryRow(
            seq=seq,
            occurred_at=facts.occurred_at,
            staff_id=facts.staff_id,
            role=facts.role,
            action=facts.action,
            person_id=facts.person_id,
            purpose=facts.purpose,
            details=dict(facts.details),
            prev_hash=prev_hash,
            entry_hash=entry_hash(facts, prev_hash),
        )
    )
    try:
        uow.session.flush()
    except IntegrityError as error:  # a concurrent appender won the same place in the chain
        raise AminaError(
            "audit_conflict",
            ErrorKind.conflict,
            N_("Please try again"),
            N_("Another change was saved at the same moment."),
        ) from error
    return seq


def _facts(row: AuditEntryRow) -> AuditFacts:
    return AuditFacts(
        seq=row.seq,
        occurred_at=row.occurred_at,
        staff_id=row.staff_id,
        role=row.role,
        action=row.action,
        person_id=row.person_id,
        purpose=row.purpose,
        details=row.details,
    )


def stream_entries(
    uow: UnitOfWork, *, after: int = 0, chunk: int = 5000
) -> Iterator[tuple[AuditFacts, str, str]]:
    """Every entry with ``seq > after`` as ``(facts, prev_hash, entry_hash)``, in ``seq``
    order, read ``chunk`` at a time."""
    while True:
        rows = uow.session.scalars(
            select(AuditEntryRow)
            .where(AuditEntryRow.seq > after)
            .order_by(AuditEntryRow.seq)
            .limit(chunk)
        ).all()
        if not rows:
            return
        for row in rows:
            yield _facts(row), row.prev_hash, row.entry_hash
        after = rows[-1].seq
        uow.session.expunge_all()


def count_audit_entries(uow: UnitOfWork) -> int:
    """How many entries the chain has (for progress bars and page counts)."""
    return int(uow.session.scalar(select(func.count()).select_from(AuditEntryRow)) or 0)


def verify_audit_chain(
    uow: UnitOfWork, progress: Callable[[int], None] | None = None
) -> ChainReport:
    """Check the whole chain (auditors, `amina audit verify`). Reads in chunks.

    ``progress`` is called with the number of entries read after each one.
    """
    entries = stream_entries(uow)
    if progress is not None:
        entries = reporting(entries, progress)
    return verify_chain(entries)


def reporting(
    entries: Iterator[tuple[AuditFacts, str, str]], progress: Callable[[int], None]
) -> Iterator[tuple[AuditFacts, str, str]]:
    """Pass ``entries`` through, calling ``progress`` with the number read so far."""
    for read, entry in enumerate(entries, start=1):
        progress(read)
        yield entry
