"""`amina import cards FILE`: load the foreign citizen card register (CSV or JSON Lines).

Exit status: 0 all records imported; 1 some records rejected (the rest imported, each rejected
one listed with its line number); 2 nothing imported (unknown columns, unreadable file, database
not migrated).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from amina.adapters.db.migrate import is_current
from amina.adapters.external.card_register import CardRegisterFile
from amina.bootstrap import build
from amina.services.identity.card_import import DEFAULT_BATCH_SIZE, ImportReport, import_cards
from amina.services.ports import CardRegister, UnknownColumns
from amina.settings import load_settings

import_app = typer.Typer(help="Import data from external registers.", no_args_is_help=True)
console = Console()

#: Rejections listed on the terminal; the rest are counted.
SHOWN_REJECTIONS = 200


def print_report(report: ImportReport, out: Console) -> None:
    table = Table(title=f"Card register import: {report.source}")
    table.add_column("records", justify="right")
    table.add_column("new", justify="right")
    table.add_column("updated", justify="right")
    table.add_column("unchanged", justify="right")
    table.add_column("rejected", justify="right")
    table.add_row(
        str(report.records),
        str(report.inserted),
        str(report.updated),
        str(report.unchanged),
        str(len(report.rejected)),
    )
    out.print(table)
    if report.resumed_after_line:
        out.print(
            f"[yellow]Resumed an interrupted import of the same file after line "
            f"{report.resumed_after_line}.[/]"
        )
    for rejected in report.rejected[:SHOWN_REJECTIONS]:
        # one line per record, never wrapped: people and scripts grep these by line number
        out.print(f"[red]line {rejected.line}:[/] {'; '.join(rejected.reasons)}", soft_wrap=True)
    hidden = len(report.rejected) - SHOWN_REJECTIONS
    if hidden > 0:
        out.print(f"[red]… and {hidden} more rejected record(s).[/]")


def run_import(register: CardRegister, database_url: str | None, batch_size: int) -> ImportReport:
    container = build(load_settings(database_url=database_url))
    if not is_current(container.engine):
        console.print("[red]The database is not migrated: run `amina db upgrade` first.[/]")
        raise typer.Exit(2)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task(f"Importing {register.name}", total=register.count())
        return import_cards(
            container.uow,
            container.clock,
            register,
            batch_size=batch_size,
            progress=lambda n: progress.advance(task, n),
        )


@import_app.command("cards")
def import_cards_command(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="CSV (header row) or JSON Lines (.jsonl), UTF-8",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ],
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Records per transaction")
    ] = DEFAULT_BATCH_SIZE,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="SQLAlchemy URL (default: DATABASE_URL)")
    ] = None,
) -> None:
    """Import the card register: rejected records are listed with line numbers, accepted ones
    are upserted (a second import of the same file changes nothing), in transactional batches
    that an interrupted run resumes."""
    try:
        report = run_import(CardRegisterFile(file), database_url, batch_size)
    except UnknownColumns as error:
        console.print(f"[red]Nothing imported: {error}.[/]")
        console.print(
            "Known columns: card_number, surname_lat, given_names_lat, surname_cyr, "
            "given_names_cyr, date_of_birth, citizenship, passport_number, phone, valid_from, "
            "valid_to, status, purpose, intended_stay_days, category"
        )
        raise typer.Exit(2) from error
    except UnicodeDecodeError as error:
        console.print("[red]Nothing imported: the file is not UTF-8.[/]")
        raise typer.Exit(2) from error
    print_report(report, console)
    if report.rejected:
        raise typer.Exit(1)
