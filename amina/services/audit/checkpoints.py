"""Signed checkpoints of the audit chain: writing them and checking the chain against them
(SPEC §10; the rules are in :mod:`amina.domain.audit_checkpoints`; docs/operations.md).

Called by `amina audit checkpoint`, the ``audit-checkpoint`` job, `amina audit verify`, the daily
chain check and the auditor's page. Nothing here writes to the database: a checkpoint is kept
outside it, by the :class:`~amina.services.ports.CheckpointArchive`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.domain.audit_checkpoints import (
    AuditVerification,
    Checkpoint,
    CheckpointHead,
    FoundCheckpoint,
    SegmentRefused,
    entries_digest,
    segment_after,
    verify_against_checkpoints,
)
from amina.services.audit.trail import count_audit_entries, reporting, stream_entries
from amina.services.clock import Clock
from amina.services.ports import (
    CheckpointArchive,
    CheckpointKeys,
    CheckpointSigner,
    UnreadableCheckpoint,
)


@dataclass(frozen=True)
class AuditCheckpointing:
    """The checkpoint ports, built once by the composition root: where checkpoints are kept,
    the public keys trusted to verify them and, where this process may sign, the signer."""

    archive: CheckpointArchive
    keys: CheckpointKeys
    signer: CheckpointSigner | None


# --- reading and trusting checkpoint files -------------------------------------------------

#: Why a checkpoint file is not trusted (``FoundCheckpoint.problem``); stable codes that the
#: command line and the auditor's page put in words.
UNREADABLE = "unreadable"
UNKNOWN_KEY = "unknown_key"
BAD_SIGNATURE = "bad_signature"
BAD_LIST = "bad_entry_list"


def _trust(checkpoint: Checkpoint, keys: CheckpointKeys) -> str | None:
    head = checkpoint.head
    if not keys.knows(head.key_id):
        return UNKNOWN_KEY
    if not keys.verify(head.key_id, head.payload(), checkpoint.signature):
        return BAD_SIGNATURE
    if entries_digest(checkpoint.entry_hashes) != head.entries_digest or (
        len(checkpoint.entry_hashes) != head.count - head.from_count
    ):
        return BAD_LIST
    return None


def found_checkpoints(checkpointing: AuditCheckpointing) -> list[FoundCheckpoint]:
    """Every checkpoint file, each with its signature checked by the trusted public keys."""
    found = []
    for name in checkpointing.archive.names():
        try:
            checkpoint = checkpointing.archive.read(name)
        except UnreadableCheckpoint:
            found.append(FoundCheckpoint(name, None, UNREADABLE))
            continue
        found.append(FoundCheckpoint(name, checkpoint.head, _trust(checkpoint, checkpointing.keys)))
    return found


def _listed(checkpointing: AuditCheckpointing) -> Callable[[FoundCheckpoint], Sequence[str]]:
    def listed(found: FoundCheckpoint) -> Sequence[str]:
        checkpoint = checkpointing.archive.read(found.name)
        # read again (one checkpoint at a time in memory): it must still be what was trusted
        if checkpoint.head != found.head or _trust(checkpoint, checkpointing.keys) is not None:
            raise UnreadableCheckpoint(found.name)
        return checkpoint.entry_hashes

    return listed


def _latest_trusted(checkpointing: AuditCheckpointing) -> CheckpointHead | None:
    heads = [f.head for f in found_checkpoints(checkpointing) if f.trusted and f.head]
    return max(heads, key=lambda head: (head.count, head.signed_at), default=None)


# --- verifying -----------------------------------------------------------------------------


def verify_audit_log(
    uow: UnitOfWork,
    checkpointing: AuditCheckpointing,
    progress: Callable[[int], None] | None = None,
) -> AuditVerification:
    """Check every link of the chain and compare it with every signed checkpoint: a cut chain
    is reported as truncated, a rewritten one with its first differing entry, and a checkpoint
    whose signature does not verify is named. Needs only the public keys.

    Who may call it: `amina audit verify` (the server's administrator), the daily chain check,
    and :func:`amina.services.audit.review.audit_integrity` (the auditor).
    """
    found = found_checkpoints(checkpointing)
    entries = stream_entries(uow)
    if progress is not None:
        entries = reporting(entries, progress)
    return verify_against_checkpoints(entries, found, _listed(checkpointing))


# --- writing -------------------------------------------------------------------------------


class Outcome(StrEnum):
    written = "written"
    unchanged = "unchanged"
    """No entry was added since the last checkpoint: nothing new to sign."""
    no_key = "no_key"
    """This process has no signing key (settings ``audit_signing_key_file`` or
    ``audit_signing_key``)."""
    refused = "refused"
    """The chain does not agree with the last checkpoint or its links break."""


@dataclass(frozen=True)
class CheckpointResult:
    outcome: Outcome
    head: CheckpointHead | None = None
    name: str | None = None
    reason: str | None = None
    seq: int | None = None
    """For ``refused``: the entry found wrong."""


def write_checkpoint(
    uow: UnitOfWorkFactory, clock: Clock, checkpointing: AuditCheckpointing
) -> CheckpointResult:
    """Sign the chain's head (with the entries added since the last trusted checkpoint) and
    keep the checkpoint outside the database.

    Refuses — and writes nothing — when the chain is shorter than the last checkpoint, differs
    from it, or its new entries' links do not hold: signing then would vouch for the damage.
    Who may call it: `amina audit checkpoint` (the server's administrator) and the
    ``audit-checkpoint`` job.
    """
    signer = checkpointing.signer
    if signer is None:
        return CheckpointResult(Outcome.no_key)
    last = _latest_trusted(checkpointing)
    with uow() as read:
        chain_count = count_audit_entries(read)
        start = 0 if last is None else max(last.count - 1, 0)
        try:
            segment = segment_after(stream_entries(read, after=start), last, chain_count)
        except SegmentRefused as refused:
            return CheckpointResult(
                Outcome.refused, head=last, reason=refused.reason, seq=refused.seq
            )
    if segment.count == (0 if last is None else last.count):
        return CheckpointResult(Outcome.unchanged, head=last)
    unsigned = CheckpointHead(
        count=segment.count,
        head_hash=segment.head_hash,
        signed_at=clock.now(),
        key_id=signer.key_id,
        from_count=segment.from_count,
        from_hash=segment.from_hash,
        entries_digest=entries_digest(segment.entry_hashes),
    )
    checkpoint = Checkpoint(unsigned, segment.entry_hashes, signer.sign(unsigned.payload()))
    name = checkpointing.archive.write(checkpoint)
    return CheckpointResult(Outcome.written, head=unsigned, name=name)
