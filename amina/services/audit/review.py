"""What the auditor reads: the audit log, newest first, and its integrity report (SPEC §10).

Only a staff member with ``audit.read`` (the auditor) may call these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from amina.adapters.db.audit.tables import AuditEntryRow
from amina.adapters.db.uow import UnitOfWork
from amina.domain.audit_checkpoints import AuditVerification
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


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    total: int
    older_than: int | None
    """Pass as ``before`` to get the next (older) page; None on the last page."""


def audit_page(
    uow: UnitOfWork, reader: Actor, *, before: int | None = None, size: int = PAGE_SIZE
) -> AuditPage:
    """Entries newest first, ``size`` at a time, older than sequence number ``before``."""
    require(reader, Permission.audit_read)
    query = select(AuditEntryRow).order_by(AuditEntryRow.seq.desc()).limit(size + 1)
    if before is not None:
        query = query.where(AuditEntryRow.seq < before)
    rows = uow.session.scalars(query).all()
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
        )
        for row in rows[:size]
    ]
    more = len(rows) > size
    return AuditPage(
        entries=entries,
        total=count_audit_entries(uow),
        older_than=entries[-1].seq if more and entries else None,
    )


def audit_integrity(
    uow: UnitOfWork, reader: Actor, checkpointing: AuditCheckpointing
) -> AuditVerification:
    """Verify the whole chain now, against the signed checkpoints too: whether it is intact or
    where it breaks, whether it was cut or rewritten, and the newest checkpoint."""
    require(reader, Permission.audit_read)
    return verify_audit_log(uow, checkpointing)
