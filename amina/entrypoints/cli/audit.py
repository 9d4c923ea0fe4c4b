"""`amina audit verify`: check the whole audit chain (SPEC §10)."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from amina.entrypoints.cli.staff import DatabaseUrl, migrated_container
from amina.services.audit.trail import count_audit_entries, verify_audit_chain

audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)
console = Console()

#: Redraw the bar every this many entries (a redraw per entry would dominate the run).
PROGRESS_EVERY = 500


@audit_app.command("verify")
def audit_verify(database_url: DatabaseUrl = None) -> None:
    """Check every entry's hash and link; exit 1 naming the first broken entry."""
    with migrated_container(database_url) as container, container.uow() as uow:
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

            report = verify_audit_chain(uow, progress=advance)
    if report.intact:
        console.print(f"[green]Audit chain intact: {report.entries_checked} entries checked.[/]")
        return
    console.print(
        f"[red]Audit chain BROKEN at entry seq={report.first_broken_seq}: {report.problem}.[/] "
        f"{report.entries_checked} entries before it are intact."
    )
    raise typer.Exit(1)
