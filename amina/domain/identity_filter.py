"""The per-person filter of recent client ids (issue 10.2; ADR 003): which of a batch's client
ids the person certainly never stored recently, so that the identity check reads the stored
reports only for the others.

A Bloom filter of :data:`FILTER_BITS` bits and :data:`HASHES` positions per client id, two
generations by arrival day (UTC), kept in ``report_identity_filters``: read by the context
query that every batch runs anyway, written by the aggregates statement that runs anyway (the
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
from struct import Struct

#: Bits per generation (the column's width: changing it needs a migration that refills it).
#: 4,096: a phone reporting every 15 minutes puts 96 client ids a day in a generation, so
#: both together (192) leave a new client id looking "maybe held" with a chance of 1 in 1,200
#: (then the stored reports are read); two generations and the row's other columns stay under
#: PostgreSQL's 2 KB TOAST threshold, so the row is never compressed (8,192 bits were: pglz
#: on every write; BENCHMARKS.md, "Issue 10: the filter in a table of its own").
FILTER_BITS = 4096
#: Positions per client id.
HASHES = 4
#: The filter of a person who never reported is empty and complete since the beginning.
BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)


#: The filter's bytes: position ``p`` is bit ``p % 8`` of byte ``LAST - p // 8`` (the
#: big-endian bytes of the integer whose bit ``p`` is set; PostgreSQL's bit string reads the
#: same number from its first character to its last).
_BYTES = FILTER_BITS // 8
_LAST = _BYTES - 1


_FOUR_SHORTS = Struct(">4H")


def positions(client_id: str, bits: int = FILTER_BITS) -> tuple[int, int, int, int]:
    """The client id's :data:`HASHES` positions among ``bits``: four 16-bit pieces of its
    BLAKE2b digest."""
    a, b, c, d = _FOUR_SHORTS.unpack(blake2b(client_id.encode(), digest_size=8).digest())
    return a % bits, b % bits, c % bits, d % bits


Positions = tuple[int, int, int, int]


def mask_of(spots: Iterable[Positions]) -> bytes:
    """The filter holding exactly the client ids of these positions."""
    mask = bytearray(_BYTES)
    for spot in spots:
        for p in spot:
            mask[_LAST - (p >> 3)] |= 1 << (p & 7)
    return bytes(mask)


EMPTY = bytes(_BYTES)


def arrival_day(received_at: datetime) -> datetime:
    """The generation a report arriving at ``received_at`` goes to: the start of its UTC day."""
    return received_at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class IdentityFilter:
    """The person's filter as read with the batch's context: both generations OR-ed."""

    bits: bytes
    #: every report that arrived from this time on is in ``bits`` (None: unknown, never)
    complete_since: datetime | None
    #: the latest device time of a report dated ahead of its arrival that is not in ``bits``
    gone_ahead: datetime | None

    def covers(self, window_start: datetime) -> bool:
        """Whether every stored report taken from ``window_start`` on is in the filter."""
        if self.complete_since is None or window_start < self.complete_since:
            return False
        return self.gone_ahead is None or self.gone_ahead < window_start

    def may_hold(self, spot: Positions) -> bool:
        """Whether a client id of these positions may be in the filter (all four bits set)."""
        held = self.bits
        a, b, c, d = spot
        return bool(
            held[_LAST - (a >> 3)] >> (a & 7) & 1
            and held[_LAST - (b >> 3)] >> (b & 7) & 1
            and held[_LAST - (c >> 3)] >> (c & 7) & 1
            and held[_LAST - (d >> 3)] >> (d & 7) & 1
        )


@dataclass(frozen=True)
class FilterWrite:
    """What a batch adds: the stored reports' bits, to the generation of ``day``, and the
    latest device time among them dated ahead of their arrival (None if none)."""

    day: datetime
    bits: bytes
    ahead: datetime | None


def encode_bits(bits: bytes, postgresql: bool) -> str | bytes:
    """The column's value: PostgreSQL ``bit(FILTER_BITS)`` as text (hexadecimal input: a
    quarter of the characters to parse), SQLite a BLOB."""
    if postgresql:
        return "x" + bits.hex()
    return bits


def decode_bits(value: bytes | None) -> bytes:
    """The filter read back (PostgreSQL's ``varbit_send`` less its length, SQLite's BLOB)."""
    return EMPTY if value is None else bytes(value)


def bits_or(a: bytes | None, b: bytes | None) -> bytes | None:
    """SQLite's ``bloom_or(a, b)`` (registered on every connection): bitwise OR of two BLOBs."""
    if a is None or b is None:
        return b if a is None else a
    return (int.from_bytes(a, "big") | int.from_bytes(b, "big")).to_bytes(len(a), "big")
