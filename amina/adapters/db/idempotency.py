"""The answers to "create" requests, kept by ``Idempotency-Key`` (API.md, Conventions).

Per person: ``person_id`` is the person the creation is about (the caller, or the person in a
staff endpoint's path), first in the primary key, so a replayed request is answered from that
person's shard; the scope still names whose key it is (``person:<id> POST /api/v1/...``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from amina.adapters.db.base import Base
from amina.adapters.db.distribution import PER_PERSON


class IdempotencyKeyRow(Base):
    __tablename__ = "idempotency_keys"
    __distribution__ = PER_PERSON

    person_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    scope: Mapped[str] = mapped_column(String(400), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(index=True)
