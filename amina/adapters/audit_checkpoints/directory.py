"""The checkpoint directory: one JSON file per signed checkpoint, outside the database.

A file is written once, under a new name, and never replaced: it is first written to a
temporary file in the same directory, flushed to disk, then linked to its final name (which
fails if the name exists). Copy the directory off the machine (docs/operations.md).

```
{
  "format": "amina-audit-checkpoint/1",
  "count": 1234, "head_hash": "...", "signed_at": "2025-11-05T07:00:00.000000Z",
  "key_id": "...", "from_count": 1200, "from_hash": "...", "entries_digest": "...",
  "signature": "<base64 Ed25519 signature of the fields above>",
  "entry_hashes": ["<hash of entry 1201>", ..., "<hash of entry 1234>"]
}
```
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from amina.domain.audit_checkpoints import FORMAT, Checkpoint, CheckpointHead, utc_text
from amina.services.ports import UnreadableCheckpoint

NAME = re.compile(r"^checkpoint-\d{12,}-\d{8}T\d{12}Z\.json$")
HASH = re.compile(r"^[0-9a-f]{64}$")


def file_name(head: CheckpointHead) -> str:
    """``checkpoint-<count, 12 digits>-<UTC time>.json``: names sort by count, then time."""
    at = head.signed_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S%f")
    return f"checkpoint-{head.count:012d}-{at}Z.json"


def to_document(checkpoint: Checkpoint) -> dict[str, Any]:
    head = checkpoint.head
    return {
        "format": FORMAT,
        "count": head.count,
        "head_hash": head.head_hash,
        "signed_at": utc_text(head.signed_at),
        "key_id": head.key_id,
        "from_count": head.from_count,
        "from_hash": head.from_hash,
        "entries_digest": head.entries_digest,
        "signature": base64.b64encode(checkpoint.signature).decode(),
        "entry_hashes": list(checkpoint.entry_hashes),
    }


def _field(document: dict[str, Any], name: str, kind: type) -> Any:
    value = document.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise UnreadableCheckpoint(f"{name} is missing or not a {kind.__name__}")
    return value


def _hash(document: dict[str, Any], name: str) -> str:
    value = _field(document, name, str)
    if not HASH.match(value):
        raise UnreadableCheckpoint(f"{name} is not a SHA-256 hex digest")
    return str(value)


def from_document(document: object) -> Checkpoint:
    """Read a checkpoint document; raises UnreadableCheckpoint on anything else."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise UnreadableCheckpoint("not an audit checkpoint of a known format")
    try:
        signed_at = datetime.fromisoformat(_field(document, "signed_at", str))
        signature = base64.b64decode(_field(document, "signature", str), validate=True)
    except (ValueError, binascii.Error) as error:
        raise UnreadableCheckpoint(str(error)) from error
    if signed_at.tzinfo is None:
        raise UnreadableCheckpoint("signed_at has no time zone")
    hashes = _field(document, "entry_hashes", list)
    if not all(isinstance(h, str) and HASH.match(h) for h in hashes):
        raise UnreadableCheckpoint("entry_hashes holds something other than SHA-256 digests")
    head = CheckpointHead(
        count=_field(document, "count", int),
        head_hash=_hash(document, "head_hash"),
        signed_at=signed_at,
        key_id=_field(document, "key_id", str),
        from_count=_field(document, "from_count", int),
        from_hash=_hash(document, "from_hash"),
        entries_digest=_hash(document, "entries_digest"),
    )
    if not 0 <= head.from_count <= head.count:
        raise UnreadableCheckpoint("from_count and count are not 0 <= from_count <= count")
    return Checkpoint(head, tuple(hashes), signature)


class CheckpointDirectory:
    """The :class:`~amina.services.ports.CheckpointArchive` port on a directory."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def location(self) -> str:
        return str(self.path)

    def names(self) -> list[str]:
        if not self.path.is_dir():
            return []
        return sorted(p.name for p in self.path.iterdir() if NAME.match(p.name))

    def read(self, name: str) -> Checkpoint:
        if not NAME.match(name):
            raise UnreadableCheckpoint(name)
        try:
            document = json.loads((self.path / name).read_bytes())
        except (OSError, ValueError) as error:
            raise UnreadableCheckpoint(str(error)) from error
        return from_document(document)

    def write(self, checkpoint: Checkpoint) -> str:
        self.path.mkdir(parents=True, exist_ok=True)
        name = file_name(checkpoint.head)
        data = json.dumps(to_document(checkpoint), indent=1).encode() + b"\n"
        descriptor, temporary = tempfile.mkstemp(prefix=".checkpoint-", dir=self.path)
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temporary, 0o644)  # hashes and counts only; readable by the auditors
            os.link(temporary, self.path / name)  # fails if the name exists: never replaced
        finally:
            os.unlink(temporary)
        directory = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        return name
