"""Signed audit checkpoints without a database: the comparison rules (domain), the Ed25519 key
files and the checkpoint directory (adapters). The same on the databases and through the
command line: tests/integration/test_audit_checkpoints.py."""

from __future__ import annotations

import stat
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from amina.adapters.audit_checkpoints.directory import CheckpointDirectory
from amina.adapters.audit_checkpoints.keys import (
    Ed25519Signer,
    generate_key_pair,
    load_public_key,
    trusted_keys,
)
from amina.domain.audit import GENESIS, AuditFacts, entry_hash
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
from amina.entrypoints.cli.main import app as cli

START = datetime(2025, 11, 5, 7, 0, tzinfo=UTC)

Entry = tuple[AuditFacts, str, str]


def facts(seq: int, purpose: str | None = None) -> AuditFacts:
    return AuditFacts(
        seq=seq,
        occurred_at=START + timedelta(minutes=seq),
        staff_id="s-1",
        role="operator",
        action="person.search",
        person_id=f"p-{seq}",
        purpose=purpose or f"purpose {seq}",
        details={},
    )


def chain(n: int, changed: dict[int, str] | None = None) -> list[Entry]:
    """A consistent chain of n entries; ``changed`` rewrites purposes and recomputes hashes."""
    entries: list[Entry] = []
    prev = GENESIS
    for seq in range(1, n + 1):
        f = facts(seq, (changed or {}).get(seq))
        own = entry_hash(f, prev)
        entries.append((f, prev, own))
        prev = own
    return entries


def sign_at(entries: list[Entry], counts: list[int]) -> dict[str, Checkpoint]:
    """Checkpoints after each count, as the checkpoint job would sign them (unsigned here)."""
    made: dict[str, Checkpoint] = {}
    last: CheckpointHead | None = None
    for n, count in enumerate(counts):
        segment = segment_after(entries[:count], last, count)
        head = CheckpointHead(
            count=segment.count,
            head_hash=segment.head_hash,
            signed_at=START + timedelta(hours=n),
            key_id="k",
            from_count=segment.from_count,
            from_hash=segment.from_hash,
            entries_digest=entries_digest(segment.entry_hashes),
        )
        made[f"c{n}"] = Checkpoint(head, segment.entry_hashes, b"")
        last = head
    return made


def compare(entries: list[Entry], made: dict[str, Checkpoint]) -> AuditVerification:
    found = [FoundCheckpoint(name, c.head) for name, c in made.items()]
    return verify_against_checkpoints(iter(entries), found, lambda f: made[f.name].entry_hashes)


def test_an_untouched_chain_matches_its_checkpoints() -> None:
    entries = chain(10)
    report = compare(entries, sign_at(entries, [3, 7, 10]))
    assert report.sound
    assert report.latest is not None
    assert report.latest.verifies


def test_a_cut_chain_is_truncated_with_both_counts() -> None:
    entries = chain(10)
    report = compare(entries[:6], sign_at(entries, [3, 10]))
    assert report.chain.intact
    assert report.truncation is not None
    assert report.truncation.entries == 6
    assert report.truncation.checkpoint_count == 10
    assert report.rewrite is None
    assert report.latest is not None
    assert not report.latest.verifies


def test_a_removed_middle_entry_is_the_first_differing_one() -> None:
    entries = chain(8)
    made = sign_at(entries, [8])
    report = compare(entries[:3] + entries[4:], made)
    assert report.rewrite is not None
    assert report.rewrite.first_differing == 4


def test_a_missing_checkpoint_file_is_a_gap() -> None:
    entries = chain(9)
    made = sign_at(entries, [3, 6, 9])
    del made["c1"]
    report = compare(entries, made)
    assert [(g.after, g.upto) for g in report.gaps] == [(3, 6)]
    assert not report.sound


@given(
    n=st.integers(min_value=1, max_value=40),
    data=st.data(),
)
def test_a_rewrite_is_named_at_the_entry_changed_whatever_the_checkpoints(
    n: int, data: st.DataObject
) -> None:
    counts = sorted(set(data.draw(st.lists(st.integers(1, n), min_size=1, max_size=5))))
    k = data.draw(st.integers(1, n))
    entries = chain(n)
    made = sign_at(entries, counts)
    report = compare(chain(n, {k: "rewritten"}), made)
    assert report.chain.intact  # the links alone cannot tell
    if k <= counts[-1]:
        assert report.rewrite is not None
        assert report.rewrite.first_differing == k
    else:  # changed after the last checkpoint: nothing signed it yet
        assert report.rewrite is None


def test_no_segment_is_signed_over_a_chain_that_disagrees_with_the_last_checkpoint() -> None:
    entries = chain(6)
    last = sign_at(entries, [4])["c0"].head
    with pytest.raises(SegmentRefused, match="truncated"):
        segment_after(entries[:3], last, 3)
    with pytest.raises(SegmentRefused, match="rewritten"):
        segment_after(chain(6, {2: "x"})[3:], last, 6)
    assert segment_after(entries[3:], last, 6).entry_hashes == tuple(e[2] for e in entries[4:])


def test_keygen_writes_a_private_key_only_its_owner_can_read_and_never_replaces_it(
    tmp_path: Path,
) -> None:
    private = tmp_path / "audit.pem"
    runner = CliRunner()
    made = runner.invoke(cli, ["audit", "keygen", str(private)])
    assert made.exit_code == 0, made.output
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert load_public_key(Path(f"{private}.pub"))
    before = private.read_bytes()
    again = runner.invoke(cli, ["audit", "keygen", str(private)])
    assert again.exit_code == 1
    assert "nothing was written" in again.output
    assert private.read_bytes() == before


def test_a_written_checkpoint_reads_back_and_verifies_with_the_public_key_only(
    tmp_path: Path,
) -> None:
    pair = generate_key_pair(tmp_path / "k.pem")
    signer = Ed25519Signer.from_pem(pair.private.read_bytes())
    entries = chain(3)
    unsigned = sign_at(entries, [3])["c0"]
    head = replace(unsigned.head, key_id=signer.key_id)
    directory = CheckpointDirectory(tmp_path / "checkpoints")
    name = directory.write(Checkpoint(head, unsigned.entry_hashes, signer.sign(head.payload())))

    read = directory.read(name)
    verifier = trusted_keys(None, [pair.public])  # no private key
    assert read.head == head
    assert verifier.verify(read.head.key_id, read.head.payload(), read.signature)
    forged = replace(read.head, count=2)
    assert not verifier.verify(forged.key_id, forged.payload(), read.signature)
    with pytest.raises(FileExistsError):  # a checkpoint file is never replaced
        directory.write(read)
