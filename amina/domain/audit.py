"""The audit chain: canonical serialisation and SHA-256 links (SPEC §10).

Each entry carries the hash of the previous entry; its own hash covers its fields and that
link. Changing, removing or reordering any entry breaks every link after it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditFacts:
    """What one entry says: who (staff id and role) did what, to whose data, why, when."""

    seq: int
    occurred_at: datetime
    staff_id: str | None
    role: str
    action: str
    person_id: str | None
    purpose: str
    details: Mapping[str, Any]


def canonical(facts: AuditFacts, prev_hash: str) -> bytes:
    """The bytes that are hashed: sorted-key JSON, UTC microsecond timestamps, no spaces."""
    document = {
        "seq": facts.seq,
        "occurred_at": facts.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "staff_id": facts.staff_id,
        "role": facts.role,
        "action": facts.action,
        "person_id": facts.person_id,
        "purpose": facts.purpose,
        "details": facts.details,
        "prev_hash": prev_hash,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(facts: AuditFacts, prev_hash: str) -> str:
    return hashlib.sha256(canonical(facts, prev_hash)).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    entries_checked: int
    first_broken_seq: int | None
    problem: str | None

    @property
    def intact(self) -> bool:
        return self.first_broken_seq is None


def verify_chain(entries: Iterable[tuple[AuditFacts, str, str]]) -> ChainReport:
    """Check ``(facts, prev_hash, entry_hash)`` triples in ``seq`` order.

    Names the first entry whose link to its predecessor or whose own hash does not hold.
    """
    expected_prev = GENESIS
    checked = 0
    for facts, prev_hash, stored_hash in entries:
        if prev_hash != expected_prev:
            return ChainReport(checked, facts.seq, "link to the previous entry does not match")
        if entry_hash(facts, prev_hash) != stored_hash:
            return ChainReport(checked, facts.seq, "entry content does not match its hash")
        expected_prev = stored_hash
        checked += 1
    return ChainReport(checked, None, None)
