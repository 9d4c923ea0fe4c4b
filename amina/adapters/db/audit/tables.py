"""The audit log: append-only and hash-chained (triggers refuse UPDATE and DELETE; see migration
0001)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from amina.adapters.db.base import Base
from amina.adapters.db.distribution import REFERENCE


class AuditEntryRow(Base):
    """Append-only, hash-chained. No code path updates or deletes a row."""

    __tablename__ = "audit_log"
    __distribution__ = REFERENCE

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    occurred_at: Mapped[datetime]
    staff_id: Mapped[str | None] = mapped_column(String(36), index=True)
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(80))
    person_id: Mapped[str | None] = mapped_column(String(36))
    purpose: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]]
    # unique: two entries can never claim the same predecessor, so the chain cannot fork
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)

    __table_args__ = (Index("ix_audit_log_person_id_seq", "person_id", "seq"),)
