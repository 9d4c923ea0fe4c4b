"""Signed audit checkpoints: a cut or rewritten audit chain no longer passes (SPEC §10; issue
10 point 8), on SQLite and PostgreSQL.

The chain's own links cannot show a cut (the newest entries deleted) or a rewrite (an entry
changed and every later hash recomputed): each test below first shows that the links still
hold after the tampering — what `amina audit verify` checked before checkpoints — and then that
the chain compared with the signed checkpoints does not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry
from sqlalchemy import select, text, update
from typer.testing import CliRunner

from amina.adapters.db.audit.tables import AuditEntryRow
from amina.bootstrap import Container, audit_checkpointing
from amina.domain.audit import AuditFacts, entry_hash
from amina.entrypoints.cli.main import app as cli
from amina.entrypoints.jobs.audit_checkpoint import CHECKPOINT_JOB
from amina.entrypoints.jobs.scheduler import LeaderLease, Scheduler
from amina.services.audit.checkpoints import Outcome, write_checkpoint
from amina.services.audit.trail import Actor, record_access, verify_audit_chain
from amina.services.clock import FixedClock

OPERATOR = Actor(staff_id="22222222-2222-2222-2222-222222222222", role="operator")


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    """A key pair made with `amina audit keygen`; returns the private key's path."""
    private = tmp_path / "keys" / "audit-signing.pem"
    result = CliRunner().invoke(cli, ["audit", "keygen", str(private)])
    assert result.exit_code == 0, result.output
    return private


@pytest.fixture
def signing(container: Container, keys: Path, tmp_path: Path) -> Path:
    """Give the container the signing key and a checkpoint directory, as the settings
    AMINA_AUDIT_SIGNING_KEY_FILE and AMINA_AUDIT_CHECKPOINT_DIR would. Returns the directory."""
    directory = tmp_path / "checkpoints"
    container.settings = container.settings.model_copy(
        update={"audit_signing_key_file": keys, "audit_checkpoint_dir": directory}
    )
    container.audit_checkpoints = audit_checkpointing(container.settings)
    return directory


def record_searches(container: Container, count: int, first: int = 1) -> None:
    with container.uow() as uow:
        for n in range(first, first + count):
            record_access(
                uow,
                container.clock,
                OPERATOR,
                action="person.search",
                purpose=f"Help with enrolment, request {n}",
                person_id=f"person-{n}",
            )
        uow.commit()


def checkpoint_now(container: Container) -> Any:
    return write_checkpoint(container.uow, container.clock, container.audit_checkpoints)


def as_database_owner(container: Container, statements: Callable[[Any], None]) -> None:
    """Change audit_log as someone with the database owner's access would (triggers off)."""
    with container.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            connection.execute(text("DROP TRIGGER IF EXISTS audit_log_no_update"))
            connection.execute(text("DROP TRIGGER IF EXISTS audit_log_no_delete"))
        statements(connection)


def delete_newest(container: Container, keep: int) -> None:
    as_database_owner(
        container,
        lambda connection: connection.execute(text(f"DELETE FROM audit_log WHERE seq > {keep}")),
    )


def rewrite_entry(container: Container, seq: int, purpose: str) -> None:
    """Change one entry's purpose and recompute its hash and every later link and hash, so
    that the chain's own links all hold again."""

    def rewrite(connection: Any) -> None:
        rows = connection.execute(select(AuditEntryRow.__table__).order_by(AuditEntryRow.seq)).all()
        prev_hash = rows[seq - 2].entry_hash if seq > 1 else "0" * 64
        for row in rows[seq - 1 :]:
            facts = AuditFacts(
                seq=row.seq,
                occurred_at=row.occurred_at,
                staff_id=row.staff_id,
                role=row.role,
                action=row.action,
                person_id=row.person_id,
                purpose=purpose if row.seq == seq else row.purpose,
                details=row.details,
            )
            new_hash = entry_hash(facts, prev_hash)
            connection.execute(
                update(AuditEntryRow.__table__)
                .where(AuditEntryRow.seq == row.seq)
                .values(purpose=facts.purpose, prev_hash=prev_hash, entry_hash=new_hash)
            )
            prev_hash = new_hash

    as_database_owner(container, rewrite)


def links_hold(container: Container) -> bool:
    """What `amina audit verify` checked before checkpoints: the chain's own links."""
    with container.uow() as uow:
        return verify_audit_chain(uow).intact


def verify_with_cli(container: Container, *options: str) -> Any:
    url = container.engine.url.render_as_string(hide_password=False)
    directory = str(container.settings.checkpoint_dir)
    return CliRunner().invoke(
        cli,
        ["audit", "verify", "--database-url", url, "--checkpoint-dir", directory, *options],
    )


def public_key(keys: Path) -> list[str]:
    return ["--public-key", f"{keys}.pub"]


@pytest.mark.usefixtures("signing")
def test_an_untouched_chain_passes_against_its_checkpoints_with_the_public_key_only(
    container: Container, keys: Path
) -> None:
    record_searches(container, 3)
    assert checkpoint_now(container).outcome is Outcome.written
    record_searches(container, 2, first=4)
    assert checkpoint_now(container).outcome is Outcome.written
    record_searches(container, 1, first=6)  # after the last checkpoint: not signed yet, fine

    # the verifying process has no private key (no AMINA_AUDIT_SIGNING_KEY_FILE): public only
    result = verify_with_cli(container, *public_key(keys))
    assert result.exit_code == 0, result.output
    assert "intact: 6 entries checked" in result.output
    assert "Matches 2 signed checkpoint(s)" in result.output
    assert "covers 5 entries" in result.output


@pytest.mark.usefixtures("signing")
def test_deleting_the_newest_entries_after_a_checkpoint_is_reported_as_truncation(
    container: Container, keys: Path
) -> None:
    record_searches(container, 5)
    assert checkpoint_now(container).outcome is Outcome.written
    delete_newest(container, keep=3)
    assert links_hold(container)  # the cut passes the chain's own check

    result = verify_with_cli(container, *public_key(keys))
    assert result.exit_code == 1, result.output
    assert re.search(
        r"truncated: chain has 3 entries, checkpoint at 2025-11-05T07:00:00Z signed 5",
        result.output,
    ), result.output


@pytest.mark.usefixtures("signing")
def test_an_entry_rewritten_with_every_later_hash_recomputed_is_named(
    container: Container, keys: Path
) -> None:
    record_searches(container, 3)
    checkpoint_now(container)
    record_searches(container, 3, first=4)
    checkpoint_now(container)
    rewrite_entry(container, 5, "nothing to see here")
    assert links_hold(container)  # the rewrite passes the chain's own check

    result = verify_with_cli(container, *public_key(keys))
    assert result.exit_code == 1, result.output
    assert "rewritten: first differing entry #5" in result.output
    assert "truncated" not in result.output


@pytest.mark.usefixtures("signing")
def test_a_rewritten_then_cut_chain_names_the_first_differing_entry(
    container: Container, keys: Path
) -> None:
    record_searches(container, 6)
    checkpoint_now(container)
    rewrite_entry(container, 2, "changed")
    delete_newest(container, keep=4)
    assert links_hold(container)

    result = verify_with_cli(container, *public_key(keys))
    assert result.exit_code == 1
    assert "rewritten: first differing entry #2" in result.output
    assert "truncated: chain has 4 entries" in result.output


def test_a_checkpoint_with_a_bad_signature_is_reported(
    container: Container, signing: Path, keys: Path
) -> None:
    record_searches(container, 4)
    checkpoint_now(container)
    [name] = [p.name for p in signing.iterdir()]
    document = json.loads((signing / name).read_text())
    # someone who cannot sign "moves" the checkpoint back to hide a later cut
    document["count"] = 2
    document["head_hash"] = document["entry_hashes"][1]
    document["entry_hashes"] = document["entry_hashes"][:2]
    (signing / name).write_text(json.dumps(document))

    result = verify_with_cli(container, *public_key(keys))
    assert result.exit_code == 1, result.output
    assert f"bad checkpoint: {signing}/{name}: signature does not verify" in result.output


@pytest.mark.usefixtures("signing")
def test_a_checkpoint_signed_with_a_key_not_trusted_is_reported(
    container: Container, tmp_path: Path
) -> None:
    record_searches(container, 2)
    checkpoint_now(container)
    other = tmp_path / "other.pem"
    assert CliRunner().invoke(cli, ["audit", "keygen", str(other)]).exit_code == 0

    result = verify_with_cli(container, *public_key(other))
    assert result.exit_code == 1
    assert "signed with a key that is not trusted" in result.output


def test_no_checkpoint_is_signed_over_a_cut_chain(
    container: Container, signing: Path, keys: Path
) -> None:
    record_searches(container, 5)
    checkpoint_now(container)
    delete_newest(container, keep=2)
    record_searches(container, 4, first=13)  # the log grows past the cut, differently
    files = sorted(signing.iterdir())

    url = container.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(
        cli,
        ["audit", "checkpoint", "--database-url", url, "--checkpoint-dir", str(signing)],
        env={"AMINA_AUDIT_SIGNING_KEY_FILE": str(keys)},
    )
    assert result.exit_code == 1, result.output
    assert "Refused" in result.output
    assert "rewritten at entry #5" in result.output
    assert sorted(signing.iterdir()) == files
    # and verify names the first entry that is not the one signed
    assert (
        "rewritten: first differing entry #3"
        in verify_with_cli(container, *public_key(keys)).output
    )


def test_the_checkpoint_command_signs_and_writes_the_head(
    container: Container, keys: Path, tmp_path: Path
) -> None:
    record_searches(container, 3)
    url = container.engine.url.render_as_string(hide_password=False)
    directory = tmp_path / "from-cli"

    def checkpoint() -> Any:
        return CliRunner().invoke(
            cli,
            ["audit", "checkpoint", "--database-url", url, "--checkpoint-dir", str(directory)],
            env={"AMINA_AUDIT_SIGNING_KEY_FILE": str(keys)},
        )

    first = checkpoint()
    assert first.exit_code == 0, first.output
    assert "Checkpoint written" in first.output
    [written] = list(directory.iterdir())
    document = json.loads(written.read_text())
    assert document["count"] == 3
    assert set(document) >= {"count", "head_hash", "signed_at", "signature", "key_id"}
    assert "nothing new to sign" in checkpoint().output
    assert len(list(directory.iterdir())) == 1


def test_the_checkpoint_command_needs_a_signing_key(container: Container) -> None:
    url = container.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(cli, ["audit", "checkpoint", "--database-url", url])
    assert result.exit_code == 2
    assert "No signing key" in result.output


def test_the_scheduled_job_writes_a_checkpoint_once_entries_were_added(
    container: Container, signing: Path, clock: FixedClock
) -> None:
    record_searches(container, 2)
    registry = CollectorRegistry()
    scheduler = Scheduler(
        container,
        [],
        registry=registry,
        lease=LeaderLease(container.engine, clock, holder="replica-a"),
        recurring=[CHECKPOINT_JOB],
    )
    assert scheduler.keep_lease()
    assert scheduler.run_recurring(CHECKPOINT_JOB)
    assert len(list(signing.iterdir())) == 1
    assert registry.get_sample_value("amina_audit_checkpoint_entries") == 2
    assert scheduler.run_recurring(CHECKPOINT_JOB)  # nothing new: no second file
    assert len(list(signing.iterdir())) == 1


@pytest.mark.usefixtures("signing")
def test_the_auditor_page_shows_the_latest_checkpoint_and_that_it_verifies(
    client: TestClient,
    container: Container,
    sign_in_staff: Callable[[str], Any],
) -> None:
    record_searches(container, 3)
    checkpoint_now(container)
    sign_in_staff("auditor")  # adds an entry (staff.create) after the checkpoint
    page = client.get("/console/audit", headers={"Accept-Language": "en"})
    assert 'id="checkpoint-status" data-status="verifies"' in page.text
    assert "The newest checkpoint verifies." in page.text
    assert "2025-11-05 10:00:00" in page.text  # signed at, Moscow time
    assert container.audit_checkpoints.signer is not None
    assert container.audit_checkpoints.signer.key_id in page.text


@pytest.mark.usefixtures("signing")
def test_the_auditor_page_shows_a_cut_log(
    client: TestClient,
    container: Container,
    sign_in_staff: Callable[[str], Any],
) -> None:
    sign_in_staff("auditor")
    record_searches(container, 4)
    checkpoint_now(container)
    delete_newest(container, keep=3)
    page = client.get("/console/audit", headers={"Accept-Language": "ru"})
    assert 'data-status="intact"' in page.text  # the links alone hold
    assert 'id="checkpoint-status" data-status="mismatch"' in page.text
    assert 'data-finding="truncated"' in page.text


def test_the_auditor_page_says_when_there_is_no_checkpoint(
    client: TestClient, sign_in_staff: Callable[[str], Any]
) -> None:
    sign_in_staff("auditor")
    page = client.get("/console/audit", headers={"Accept-Language": "en"})
    assert 'id="checkpoint-status" data-status="none"' in page.text
