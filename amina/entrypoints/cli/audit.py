"""`amina audit keygen|checkpoint|verify`: the audit chain and its signed checkpoints
(SPEC §10; docs/operations.md, "Signed audit checkpoints")."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from amina.adapters.audit_checkpoints.keys import generate_key_pair
from amina.domain.audit_checkpoints import AuditVerification
from amina.entrypoints.cli.staff import DatabaseUrl, migrated_container
from amina.services.audit.checkpoints import (
    BAD_LIST,
    BAD_SIGNATURE,
    UNKNOWN_KEY,
    UNREADABLE,
    Outcome,
    verify_audit_log,
    write_checkpoint,
)
from amina.services.audit.trail import count_audit_entries

audit_app = typer.Typer(help="The audit log and its signed checkpoints.", no_args_is_help=True)
#: Findings stay on one line each (no wrapping), so that scripts can match them.
console = Console(soft_wrap=True)

#: Redraw the bar every this many entries (a redraw per entry would dominate the run).
PROGRESS_EVERY = 500

CheckpointDir = Annotated[
    Path | None,
    typer.Option(
        "--checkpoint-dir",
        help="Checkpoint directory (default: AMINA_AUDIT_CHECKPOINT_DIR, else "
        "<data_dir>/audit-checkpoints)",
    ),
]


#: Why a checkpoint file is not trusted, in words.
UNTRUSTED = {
    UNREADABLE: "unreadable (not a checkpoint of a known format)",
    UNKNOWN_KEY: "signed with a key that is not trusted (see --public-key)",
    BAD_SIGNATURE: "signature does not verify",
    BAD_LIST: "its listed entry hashes do not match what was signed",
}


def _when(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@audit_app.command("keygen")
def audit_keygen(
    path: Annotated[
        Path, typer.Argument(help="The private key file to write; the public key goes to PATH.pub")
    ],
) -> None:
    """Make an Ed25519 key pair for signing audit checkpoints (the private key with mode 0600).

    Never replaces a file. Keep the private key away from the database and its backups; give
    the public key to whoever verifies.
    """
    try:
        pair = generate_key_pair(path)
    except FileExistsError as error:
        console.print(f"[red]{error.args[0]} exists; nothing was written.[/]")
        raise typer.Exit(1) from error
    console.print(f"Private key: {pair.private} (mode 0600). Key id: [bold]{pair.key_id}[/]")
    console.print(f"Public key:  {pair.public}")
    console.print(
        f"Sign with it: AMINA_AUDIT_SIGNING_KEY_FILE={pair.private}. Verify with the public key: "
        f"amina audit verify --public-key {pair.public}"
    )


@audit_app.command("checkpoint")
def audit_checkpoint(
    database_url: DatabaseUrl = None, checkpoint_dir: CheckpointDir = None
) -> None:
    """Sign the chain's head now and write the checkpoint to the checkpoint directory.

    Exit 1 when the chain no longer agrees with the last checkpoint (nothing is signed), 2 when
    there is no signing key.
    """
    with migrated_container(database_url, audit_checkpoint_dir=checkpoint_dir) as container:
        checkpointing = container.audit_checkpoints
        result = write_checkpoint(container.uow, container.clock, checkpointing)
    where = checkpointing.archive.location
    head = result.head
    if result.outcome is Outcome.written and head is not None:
        console.print(
            f"[green]Checkpoint written: {where}/{result.name}[/] — {head.count} entries, head "
            f"{head.head_hash[:16]}…, signed at {_when(head.signed_at)} with key {head.key_id}."
        )
        return
    if result.outcome is Outcome.unchanged:
        if head is None:
            console.print("The audit log is empty: nothing to sign.")
        else:
            console.print(
                f"No entries since the checkpoint signed at {_when(head.signed_at)} "
                f"({head.count} entries): nothing new to sign."
            )
        return
    if result.outcome is Outcome.no_key:
        console.print(
            "[red]No signing key: set AMINA_AUDIT_SIGNING_KEY_FILE (make one with "
            "`amina audit keygen PATH`).[/]"
        )
        raise typer.Exit(2)
    assert head is not None  # refused: there is a last checkpoint the chain disagrees with
    console.print(
        f"[red]Refused: the chain does not agree with the checkpoint signed at "
        f"{_when(head.signed_at)} ({head.count} entries): {result.reason} at entry "
        f"#{result.seq}. Nothing was signed; run `amina audit verify`.[/]"
    )
    raise typer.Exit(1)


@audit_app.command("verify")
def audit_verify(
    database_url: DatabaseUrl = None,
    checkpoint_dir: CheckpointDir = None,
    public_key: Annotated[
        list[Path] | None,
        typer.Option(
            "--public-key",
            help="A public key trusted to have signed checkpoints (repeat for rotated keys); "
            "replaces AMINA_AUDIT_PUBLIC_KEY_FILES",
        ),
    ] = None,
) -> None:
    """Check every entry's hash and link, and the chain against the signed checkpoints; exit 1
    naming the first broken entry, a cut (truncated) or rewritten chain, or a bad checkpoint."""
    with migrated_container(
        database_url, audit_checkpoint_dir=checkpoint_dir, audit_public_key_files=public_key
    ) as container:
        with container.uow() as uow:
            total = count_audit_entries(uow)
            with Progress(
                TextColumn("Verifying the audit chain"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            ) as progress:
                task = progress.add_task("verify", total=total)

                def advance(read: int) -> None:
                    if read % PROGRESS_EVERY == 0 or read == total:
                        progress.update(task, completed=read)

                report = verify_audit_log(uow, container.audit_checkpoints, progress=advance)
        where = container.audit_checkpoints.archive.location
    _print_verification(report, where)
    if not report.sound:
        raise typer.Exit(1)


def _print_verification(report: AuditVerification, where: str) -> None:
    chain = report.chain
    if chain.intact:
        console.print(f"[green]Audit chain intact: {chain.entries_checked} entries checked.[/]")
    else:
        console.print(
            f"[red]Audit chain BROKEN at entry seq={chain.first_broken_seq}: {chain.problem}.[/] "
            f"{chain.entries_checked} entries before it are intact."
        )
    for found in report.untrusted:
        problem = UNTRUSTED.get(found.problem or "", found.problem)
        console.print(f"[red]bad checkpoint: {where}/{found.name}: {problem}.[/]")
    if report.truncation is not None:
        cut = report.truncation
        console.print(
            f"[red]truncated: chain has {cut.entries} entries, checkpoint at "
            f"{_when(cut.signed_at)} signed {cut.checkpoint_count}[/] ({cut.checkpoint})."
        )
    if report.rewrite is not None:
        rewrite = report.rewrite
        console.print(
            f"[red]rewritten: first differing entry #{rewrite.first_differing}[/] (differs from "
            f"the checkpoint signed at {_when(rewrite.signed_at)}, {rewrite.checkpoint})."
        )
    for gap in report.gaps:
        console.print(
            f"[red]missing checkpoint: no checkpoint lists entries {gap.after + 1}..{gap.upto} "
            f"({gap.checkpoint} starts after them).[/]"
        )
    if report.checkpoints == 0 and not report.untrusted:
        console.print(
            f"[yellow]No signed checkpoints in {where}: only the chain's own links were checked "
            "(a cut or rewritten chain passes that check).[/]"
        )
        return
    if report.sound and report.latest is not None and report.latest.head is not None:
        head = report.latest.head
        console.print(
            f"[green]Matches {report.checkpoints} signed checkpoint(s); the newest, signed at "
            f"{_when(head.signed_at)} with key {head.key_id}, covers {head.count} entries.[/]"
        )
