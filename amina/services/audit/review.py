"""What the auditor reads: the audit log, newest first, and its integrity report (SPEC §10).

Only a staff member with ``audit.read`` (the auditor) may call these. Entries name staff by
staff number and people by card number (never by account or person id), and can be filtered
by Moscow date range, staff number, role, action and card number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select

from amina.adapters.db.audit.tables import AuditEntryRow
from amina.adapters.db.identity.tables import PersonRow
from amina.adapters.db.staff.tables import StaffRow
from amina.adapters.db.uow import UnitOfWork
from amina.domain.audit_checkpoints import AuditVerification
from amina.domain.calendar import MOSCOW
from amina.domain.purposes import PurposeWords, purpose_words
from amina.domain.roles import Permission
from amina.services.audit.checkpoints import AuditCheckpointing, verify_audit_log
from amina.services.audit.trail import Actor, count_audit_entries
from amina.services.staff.permissions import require

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    occurred_at: datetime
    staff_id: str | None
    role: str
    action: str
    person_id: str | None
    purpose: str
    details: Mapping[str, Any]
    staff_number: int | None = None
    card_number: str | None = None

    @property
    def purpose_words(self) -> PurposeWords:
        """The purpose to show: the chosen purpose's label (to translate) and the free text."""
        return purpose_words(self.purpose, self.details)


@dataclass(frozen=True)
class AuditFilter:
    """What the auditor narrows the log to; every part optional. Days are Moscow dates."""

    day_from: date | None = None
    day_to: date | None = None
    staff_number: int | None = None
    role: str | None = None
    action: str | None = None
    card_number: str | None = None

    def conditions(self, uow: UnitOfWork) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.day_from is not None:
            found.append(AuditEntryRow.occurred_at >= _moscow_midnight(self.day_from))
        if self.day_to is not None:
            found.append(
                AuditEntryRow.occurred_at < _moscow_midnight(self.day_to + timedelta(days=1))
            )
        if self.staff_number is not None:
            found.append(
                AuditEntryRow.staff_id.in_(
                    select(StaffRow.id).where(StaffRow.number == self.staff_number)
                )
            )
        if self.role:
            found.append(AuditEntryRow.role == self.role)
        if self.action:
            found.append(AuditEntryRow.action == self.action)
        if self.card_number:
            # people are distributed by id (Citus): find them first, then their entries
            people = uow.session.scalars(
                select(PersonRow.id).where(PersonRow.card_number == self.card_number)
            ).all()
            found.append(AuditEntryRow.person_id.in_(list(people)))
        return found


def _moscow_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=MOSCOW)


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    total: int
    """Entries that match the filter (all entries without one)."""
    older_than: int | None
    """Pass as ``before`` to get the next (older) page; None on the last page."""


def audit_page(
    uow: UnitOfWork,
    reader: Actor,
    *,
    before: int | None = None,
    size: int = PAGE_SIZE,
    where: AuditFilter | None = None,
) -> AuditPage:
    """Entries newest first, ``size`` at a time, older than sequence number ``before``,
    narrowed by ``where``."""
    require(reader, Permission.audit_read)
    conditions = (where or AuditFilter()).conditions(uow)
    query = (
        select(AuditEntryRow, StaffRow.number)
        .outerjoin(StaffRow, StaffRow.id == AuditEntryRow.staff_id)
        .where(*conditions)
        .order_by(AuditEntryRow.seq.desc())
        .limit(size + 1)
    )
    if before is not None:
        query = query.where(AuditEntryRow.seq < before)
    rows = uow.session.execute(query).all()
    person_ids = {row.person_id for row, _ in rows if row.person_id}
    cards: dict[str, str] = {}
    for person_id, card in uow.session.execute(
        select(PersonRow.id, PersonRow.card_number).where(PersonRow.id.in_(person_ids))
    ):
        cards[person_id] = card
    entries = [
        AuditEntry(
            seq=row.seq,
            occurred_at=row.occurred_at,
            staff_id=row.staff_id,
            role=row.role,
            action=row.action,
            person_id=row.person_id,
            purpose=row.purpose,
            details=row.details,
            staff_number=number,
            card_number=cards.get(row.person_id) if row.person_id else None,
        )
        for row, number in rows[:size]
    ]
    more = len(rows) > size
    if conditions:
        total = int(
            uow.session.scalar(select(func.count()).select_from(AuditEntryRow).where(*conditions))
            or 0
        )
    else:
        total = count_audit_entries(uow)
    return AuditPage(
        entries=entries,
        total=total,
        older_than=entries[-1].seq if more and entries else None,
    )


def audit_actions(uow: UnitOfWork, reader: Actor) -> list[str]:
    """The actions the log holds, for the filter's list."""
    require(reader, Permission.audit_read)
    return sorted(uow.session.scalars(select(AuditEntryRow.action).distinct()).all())


def audit_integrity(
    uow: UnitOfWork, reader: Actor, checkpointing: AuditCheckpointing
) -> AuditVerification:
    """Verify the whole chain now, against the signed checkpoints too: whether it is intact or
    where it breaks, whether it was cut or rewritten, and the newest checkpoint."""
    require(reader, Permission.audit_read)
    return verify_audit_log(uow, checkpointing)
