"""The per-person filter of recent client ids (issue 10.2; ADR 003): which of a batch's client
ids the person certainly never stored recently, so that the identity check reads the stored
reports only for the others.

A Bloom filter of :data:`FILTER_BITS` bits and :data:`HASHES` positions per client id, two
generations by arrival day (UTC), kept in ``person_last_report``: read by the context query
that every batch runs anyway, written by the aggregates statement that runs anyway (the
batch's bits OR-ed into the current generation; on a new arrival day the current one becomes
the previous one and the previous one goes). The row also says since when the filter is
complete (every report that arrived since then is in it) and the latest device time of any
report dated ahead of its arrival that is no longer in it. A batch is checked by the filter
only when its whole window (``CLIENT_ID_WINDOW`` around it) is covered by both; then "a bit
not set" proves that no stored report in the window carries the client id. A client id whose
bits are all set — stored before, or a false positive — is checked against the stored reports
as before. No bytes per report.

The positions come from BLAKE2b of the client id (stable across processes and versions;
never Python's ``hash()``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from hashlib import blake2b

#: Bits per generation (the column's width: changing it needs a migration that clears it).
FILTER_BITS = 8192
#: Positions per client id.
HASHES = 4
#: The filter of a person who never reported: complete since the beginning.
BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)


def positions(client_id: str, bits: int = FILTER_BITS) -> int:
    """The client id's :data:`HASHES` positions, as a mask of ``bits`` bits."""
    digest = blake2b(client_id.encode(), digest_size=2 * HASHES).digest()
    mask = 0
    for i in range(HASHES):
        mask |= 1 << (int.from_bytes(digest[2 * i : 2 * i + 2], "big") % bits)
    return mask


def mask_of(client_ids: Iterable[str], bits: int = FILTER_BITS) -> int:
    mask = 0
    for client_id in client_ids:
        mask |= positions(client_id, bits)
    return mask


def arrival_day(received_at: datetime) -> datetime:
    """The generation a report arriving at ``received_at`` goes to: the start of its UTC day."""
    return received_at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class IdentityFilter:
    """The person's filter as read with the batch's context: both generations OR-ed."""

    bits: int
    #: every report that arrived from this time on is in ``bits`` (None: unknown, never)
    complete_since: datetime | None
    #: the latest device time of a report dated ahead of its arrival that is not in ``bits``
    gone_ahead: datetime | None

    def covers(self, window_start: datetime) -> bool:
        """Whether every stored report taken from ``window_start`` on is in the filter."""
        if self.complete_since is None or window_start < self.complete_since:
            return False
        return self.gone_ahead is None or self.gone_ahead < window_start

    def may_hold(self, client_id: str, bits: int = FILTER_BITS) -> bool:
        mask = positions(client_id, bits)
        return self.bits & mask == mask


@dataclass(frozen=True)
class FilterWrite:
    """What a batch adds: the stored reports' bits, to the generation of ``day``, and the
    latest device time among them dated ahead of their arrival (None if none)."""

    day: datetime
    bits: int
    ahead: datetime | None


def encode_bits(bits: int, postgresql: bool) -> str | bytes:
    """The column's value: PostgreSQL ``bit(FILTER_BITS)`` as text, SQLite a BLOB."""
    if postgresql:
        return format(bits, f"0{FILTER_BITS}b")
    return bits.to_bytes(FILTER_BITS // 8, "big")


def decode_bits(value: str | bytes | None) -> int:
    if value is None:
        return 0
    if isinstance(value, str):
        return int(value, 2)
    return int.from_bytes(value, "big")


def bits_or(a: bytes | None, b: bytes | None) -> bytes | None:
    """SQLite's ``bloom_or(a, b)`` (registered on every connection): bitwise OR of two BLOBs."""
    if a is None or b is None:
        return b if a is None else a
    return (int.from_bytes(a, "big") | int.from_bytes(b, "big")).to_bytes(len(a), "big")
