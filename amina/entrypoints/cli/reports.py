"""`amina reports purge [--now]` and `amina reports partitions`: the raw report tables' retention
and day partitions, by hand (the scheduler runs both daily)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from amina.bootstrap import build
from amina.services.reports.retention import (
    DAYS_AHEAD,
    day_partitions,
    maintain_partitions,
    purge_old_reports,
)
from amina.settings import load_settings

reports_app = typer.Typer(
    help="Raw location reports: retention and partitions.", no_args_is_help=True
)
console = Console()

DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="SQLAlchemy URL (default: DATABASE_URL)")
]


@reports_app.command("purge")
def purge(
    now: Annotated[
        bool, typer.Option("--now", help="Delete now; without it, only show what would go")
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Delete raw reports and device status older than the policy's retention period."""
    container = build(load_settings(database_url=database_url))
    try:
        with Progress(
            SpinnerColumn(),
            TextColumn("[progress.description]{task.description}"),
            TextColumn("{task.completed:,} rows"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            tasks: dict[str, TaskID] = {}

            def step(what: str, rows: int) -> None:
                if what not in tasks:
                    tasks[what] = progress.add_task(what, total=None)
                progress.update(tasks[what], completed=rows)

            result = purge_old_reports(
                container.uow, container.clock, dry_run=not now, progress=step
            )
    finally:
        container.engine.dispose()
    verb = "Removed" if now else "Would remove"
    console.print(f"Kept: everything taken on or after {result.cutoff_day} (Moscow days).")
    console.print(
        f"{verb}: {len(result.partitions_dropped)} day partition(s) "
        f"(about {result.rows_in_dropped_partitions:,} rows), "
        f"{result.reports_deleted:,} report(s) and {result.statuses_deleted:,} device status "
        "record(s) outside them."
    )
    if not now:
        console.print("[yellow]Nothing was deleted. Run with --now to delete.[/]")


@reports_app.command("partitions")
def partitions(
    days_ahead: Annotated[
        int, typer.Option("--days-ahead", help="Create day partitions this far ahead")
    ] = DAYS_AHEAD,
    database_url: DatabaseUrl = None,
) -> None:
    """Create the day partitions ahead (PostgreSQL) and list the days that have one."""
    container = build(load_settings(database_url=database_url))
    try:
        created = maintain_partitions(container.uow, container.clock, days_ahead=days_ahead)
        days = day_partitions(container.uow)
    finally:
        container.engine.dispose()
    if not any(days.values()):
        console.print("No partitions: this database keeps raw reports in plain tables (SQLite).")
        return
    console.print(f"{len(created)} partition(s) created.")
    table = Table(title="Day partitions (Moscow days)")
    table.add_column("table")
    table.add_column("first day")
    table.add_column("last day")
    table.add_column("days")
    for name, found in days.items():
        table.add_row(name, str(found[0]), str(found[-1]), str(len(found)))
    console.print(table)
