"""Signed checkpoints of the audit chain (SPEC §10; issue 10 point 8).

The chain's own links show a changed or removed entry in the middle, but not a cut (the newest
entries deleted) nor a rewrite (an entry changed and every later hash recomputed): both leave a
chain whose links hold. A checkpoint fixes the chain as it was at one moment — how many entries
it had and the hash of the last one, with the hashes of the entries added since the checkpoint
before it — under an Ed25519 signature made with a key the database does not hold, and is kept
outside the database. Comparing the chain with the checkpoints then shows a cut ("truncated")
and names the first entry that differs from what was signed ("rewritten").

Pure rules only: what is signed, how a segment of the chain is checked before it is signed,
and how the chain is compared with the checkpoints. Keys and files are adapters' business.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from amina.domain.audit import GENESIS, AuditFacts, ChainReport, entry_hash

#: Names the layout of what is signed; a verifier refuses layouts it does not know.
FORMAT = "amina-audit-checkpoint/1"


def utc_text(at: datetime) -> str:
    """The one way a checkpoint writes a time: UTC, microseconds, ``Z``."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entries_digest(hashes: Sequence[str]) -> str:
    """SHA-256 over the listed entry hashes, one per line: the signature covers the list
    through this digest."""
    return hashlib.sha256("\n".join(hashes).encode()).hexdigest()


@dataclass(frozen=True)
class CheckpointHead:
    """What a checkpoint signs.

    The chain had ``count`` entries and the last one's hash was ``head_hash``. The checkpoint
    lists the hashes of entries ``from_count + 1`` .. ``count``; ``from_hash`` is the hash of
    entry ``from_count`` (the checkpoint before it; GENESIS for the first checkpoint).
    """

    count: int
    head_hash: str
    signed_at: datetime
    key_id: str
    from_count: int
    from_hash: str
    entries_digest: str

    def payload(self) -> bytes:
        """The exact bytes signed: sorted-key JSON without spaces."""
        document = {
            "format": FORMAT,
            "count": self.count,
            "head_hash": self.head_hash,
            "signed_at": utc_text(self.signed_at),
            "key_id": self.key_id,
            "from_count": self.from_count,
            "from_hash": self.from_hash,
            "entries_digest": self.entries_digest,
        }
        return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Checkpoint:
    """A signed checkpoint: its head, the hashes it lists and the signature over the head."""

    head: CheckpointHead
    entry_hashes: tuple[str, ...]
    signature: bytes


# --- writing a checkpoint ------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """The entries after the last checkpoint, checked and ready to be signed."""

    from_count: int
    from_hash: str
    entry_hashes: tuple[str, ...]

    @property
    def count(self) -> int:
        return self.from_count + len(self.entry_hashes)

    @property
    def head_hash(self) -> str:
        return self.entry_hashes[-1] if self.entry_hashes else self.from_hash


class SegmentRefused(Exception):
    """The chain no longer agrees with the last checkpoint, or its own links break: signing
    it would vouch for a cut or changed chain. ``seq`` is the entry found wrong."""

    def __init__(self, reason: str, seq: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.seq = seq


def segment_after(
    entries: Iterable[tuple[AuditFacts, str, str]],
    last: CheckpointHead | None,
    chain_count: int,
) -> Segment:
    """Check the entries a new checkpoint will cover and collect their hashes.

    ``entries`` are the chain's ``(facts, prev_hash, entry_hash)`` from entry
    ``last.from ... last.count`` (or from the first entry) onwards, in order; ``chain_count``
    is how many entries the chain has. Raises :class:`SegmentRefused` when the chain is shorter
    than the last checkpoint, when the entry at the last checkpoint is not the one it signed,
    or when a link or an entry's hash after it does not hold.
    """
    from_count = 0 if last is None else last.count
    from_hash = GENESIS if last is None else last.head_hash
    if chain_count < from_count:
        raise SegmentRefused("truncated", chain_count + 1)
    expected_prev = from_hash
    hashes: list[str] = []
    position = from_count
    for facts, prev_hash, stored_hash in entries:
        if facts.seq <= from_count:
            if facts.seq == from_count and stored_hash != from_hash:
                raise SegmentRefused("rewritten", from_count)
            continue
        position += 1
        if facts.seq != position or prev_hash != expected_prev:
            raise SegmentRefused("link to the previous entry does not match", position)
        if entry_hash(facts, prev_hash) != stored_hash:
            raise SegmentRefused("entry content does not match its hash", position)
        hashes.append(stored_hash)
        expected_prev = stored_hash
    return Segment(from_count, from_hash, tuple(hashes))


# --- comparing the chain with the checkpoints ----------------------------------------------


@dataclass(frozen=True)
class FoundCheckpoint:
    """A checkpoint file as found, after its signature was checked.

    ``problem`` is None when it is trusted: readable, signed by a known key, the signature holds
    and the listed hashes match their digest.
    """

    name: str
    head: CheckpointHead | None
    problem: str | None = None

    @property
    def trusted(self) -> bool:
        return self.problem is None and self.head is not None


@dataclass(frozen=True)
class Truncation:
    """The chain has fewer entries than a checkpoint signed."""

    entries: int
    checkpoint_count: int
    signed_at: datetime
    checkpoint: str


@dataclass(frozen=True)
class Rewrite:
    """Entry ``first_differing`` is not the entry a checkpoint signed (changed, removed or
    replaced); every entry before it matches."""

    first_differing: int
    signed_at: datetime
    checkpoint: str


@dataclass(frozen=True)
class Gap:
    """No checkpoint file lists the entries ``after + 1`` .. ``upto``, though a later
    checkpoint starts after them: a checkpoint file is missing."""

    after: int
    upto: int
    checkpoint: str


@dataclass(frozen=True)
class LatestCheckpoint:
    """The newest checkpoint file (by the entries it covers, then by time) and whether it
    verifies: its signature holds and the chain still contains what it signed."""

    name: str
    head: CheckpointHead | None
    problem: str | None
    matches_chain: bool

    @property
    def verifies(self) -> bool:
        return self.problem is None and self.matches_chain


@dataclass(frozen=True)
class AuditVerification:
    """The whole answer of ``amina audit verify`` and of the auditor's page."""

    chain: ChainReport
    entries: int
    checkpoints: int
    """How many trusted checkpoints the chain was compared with."""
    truncation: Truncation | None = None
    rewrite: Rewrite | None = None
    untrusted: tuple[FoundCheckpoint, ...] = ()
    gaps: tuple[Gap, ...] = ()
    latest: LatestCheckpoint | None = None

    @property
    def sound(self) -> bool:
        """The links hold, the chain matches every signed checkpoint and every checkpoint
        file is trusted."""
        return (
            self.chain.intact
            and self.truncation is None
            and self.rewrite is None
            and not self.untrusted
            and not self.gaps
        )


@dataclass
class _Active:
    found: FoundCheckpoint
    head: CheckpointHead
    hashes: Sequence[str]

    def expected(self, position: int) -> str | None:
        if position == self.head.from_count:
            return self.head.from_hash
        if self.head.from_count < position <= self.head.count:
            return self.hashes[position - self.head.from_count - 1]
        return None


@dataclass
class _Comparison:
    pending: list[FoundCheckpoint]
    listed: Callable[[FoundCheckpoint], Sequence[str]]
    active: list[_Active] = field(default_factory=list)
    rewrite: Rewrite | None = None

    def see(self, position: int, stored_hash: str) -> None:
        while self.pending and _head(self.pending[0]).from_count <= position:
            found = self.pending.pop(0)
            self.active.append(_Active(found, _head(found), self.listed(found)))
        for active in self.active:
            expected = active.expected(position)
            if expected is not None and expected != stored_hash and self.rewrite is None:
                self.rewrite = Rewrite(position, active.head.signed_at, active.found.name)
        self.active = [a for a in self.active if a.head.count > position]


def _head(found: FoundCheckpoint) -> CheckpointHead:
    assert found.head is not None  # only trusted checkpoints are compared
    return found.head


def _order(found: FoundCheckpoint) -> tuple[int, datetime]:
    if found.head is None:
        return (-1, datetime.min.replace(tzinfo=UTC))
    return (found.head.count, found.head.signed_at)


def _gaps(trusted: list[FoundCheckpoint]) -> list[Gap]:
    covered_upto = {_head(found).count for found in trusted} | {0}
    gaps = []
    for found in trusted:
        head = _head(found)
        if head.from_count not in covered_upto:
            before = max(c for c in covered_upto if c < head.from_count)
            gaps.append(Gap(before, head.from_count, found.name))
    return gaps


def verify_against_checkpoints(
    entries: Iterable[tuple[AuditFacts, str, str]],
    found: Sequence[FoundCheckpoint],
    listed: Callable[[FoundCheckpoint], Sequence[str]],
) -> AuditVerification:
    """Check the chain's links and compare it with every trusted checkpoint, in one pass.

    ``entries`` are the chain's ``(facts, prev_hash, entry_hash)`` in ``seq`` order; ``found``
    every checkpoint file with its signature already checked; ``listed`` gives a trusted
    checkpoint's entry hashes (read when the pass reaches them, so that only the checkpoints
    that overlap the current entry are held in memory). The n-th entry of the chain is compared
    with what the checkpoints signed for the n-th entry, so a removed entry shows as the first
    differing one too.
    """
    trusted = sorted((f for f in found if f.trusted), key=lambda f: _head(f).from_count)
    comparison = _Comparison(pending=list(trusted), listed=listed)
    expected_prev = GENESIS
    checked = 0
    broken: tuple[int, str] | None = None
    position = 0
    for facts, prev_hash, stored_hash in entries:
        position += 1
        if broken is None:
            if prev_hash != expected_prev:
                broken = (facts.seq, "link to the previous entry does not match")
            elif entry_hash(facts, prev_hash) != stored_hash:
                broken = (facts.seq, "entry content does not match its hash")
            else:
                checked += 1
        expected_prev = stored_hash
        comparison.see(position, stored_hash)
    chain = (
        ChainReport(checked, None, None)
        if broken is None
        else ChainReport(checked, broken[0], broken[1])
    )
    truncation = None
    longest = max(trusted, key=_order, default=None)
    if longest is not None and _head(longest).count > position:
        head = _head(longest)
        truncation = Truncation(position, head.count, head.signed_at, longest.name)
    return AuditVerification(
        chain=chain,
        entries=position,
        checkpoints=len(trusted),
        truncation=truncation,
        rewrite=comparison.rewrite,
        untrusted=tuple(f for f in found if not f.trusted),
        gaps=tuple(_gaps(trusted)),
        latest=_latest(found, position, comparison.rewrite),
    )


def _latest(
    found: Sequence[FoundCheckpoint], entries: int, rewrite: Rewrite | None
) -> LatestCheckpoint | None:
    newest = max(found, key=_order, default=None)
    if newest is None:
        return None
    head = newest.head
    matches = (
        newest.trusted
        and head is not None
        and head.count <= entries
        and (rewrite is None or rewrite.first_differing > head.count)
    )
    return LatestCheckpoint(newest.name, head, newest.problem, matches_chain=matches)
