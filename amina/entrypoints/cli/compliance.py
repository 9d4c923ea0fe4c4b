"""`amina sweep --on DATE` (the day's compliance sweep by hand) and `amina outbox run`."""

from __future__ import annotations

import dataclasses
import gc
import json
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from amina.adapters.db.migrate import is_current
from amina.bootstrap import Container, build
from amina.domain.calendar import moscow_date
from amina.services.compliance.sweep import DEFAULT_CHUNK, SweepReport, sweep
from amina.services.delivery.outbox import deliver_due, pending_count
from amina.settings import load_settings

outbox_app = typer.Typer(
    help="The outbox of SMS, web push and registry messages.", no_args_is_help=True
)
console = Console()

DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="SQLAlchemy URL (default: DATABASE_URL)")
]


def _container(database_url: str | None) -> Container:
    container = build(load_settings(database_url=database_url))
    if not is_current(container.engine):
        console.print("[red]The database is not migrated: run `amina db upgrade` first.[/]")
        raise typer.Exit(2)
    return container


def print_sweep(report: SweepReport, out: Console) -> None:
    if not report.working_day:
        out.print(f"[yellow]{report.day} is not a working day in Moscow: nothing issued.[/]")
        return
    table = Table(title=f"Compliance sweep for {report.day} (policy {report.policy_version})")
    for column in ("examined", "reminders", "notices", "cases", "resolved", "closed"):
        table.add_column(column, justify="right")
    table.add_row(
        str(report.candidates),
        str(report.reminders),
        str(report.notices),
        str(report.cases),
        str(report.resolved),
        str(report.closed),
    )
    out.print(table)
    if report.issue_pass_done_before:
        out.print(
            "  The day's reminders and notices were issued by an earlier run "
            "(--again looks at everyone once more)."
        )
    for kind, count in sorted(report.notices_by_kind.items()):
        out.print(f"  notices {kind}: {count}")
    phases = Table(title="Time per phase")
    for column in ("phase", "seconds", "CPU seconds", "rows"):
        phases.add_column(column, justify="left" if column == "phase" else "right")
    for name, timing in report.phases.items():
        phases.add_row(
            name, f"{timing.seconds:.2f}", f"{timing.cpu_seconds:.2f}", f"{timing.rows:,}"
        )
    timings = report.phases.values()
    phases.add_row(  # wall time of the run: the writer overlaps reading and deciding
        "total",
        f"{report.seconds:.2f}",
        f"{sum(t.cpu_seconds for t in timings):.2f}",
        "",
    )
    out.print(phases)


def sweep_json(report: SweepReport) -> str:
    """The run's counts and phase timings as one JSON document (for scripts and benchmarks)."""
    document = dataclasses.asdict(report)
    document["day"] = report.day.isoformat()
    return json.dumps(document)


def _batch_gc() -> None:
    """Garbage collection for a one-off batch process: what start-up built (modules, the
    container) lives until exit, so full collections need not walk it again and again; and a
    young-generation collection every 50,000 allocations instead of every 700. With the
    defaults the collector took about a fifth of the sweep's CPU (BENCHMARKS.md, issue 14)."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def sweep_command(
    on: Annotated[
        str | None,
        typer.Option("--on", metavar="DATE", help="The Moscow day to sweep (default: today)"),
    ] = None,
    chunk_size: Annotated[
        int, typer.Option("--chunk-size", min=1, help="People examined per transaction")
    ] = DEFAULT_CHUNK,
    database_url: DatabaseUrl = None,
    again: Annotated[
        bool,
        typer.Option(
            "--again",
            help="Examine everyone even if the day's issue pass has finished "
            "(still issues nothing twice)",
        ),
    ] = False,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print the counts and the time per phase as one JSON line"),
    ] = False,
) -> None:
    """Run a day's compliance sweep (reminders, notices, cases); idempotent.

    Running it again for the same day issues nothing twice: once the day's reminders and
    notices are out, a re-run only resolves notices and opens cases (``--again`` examines
    everyone once more); a run that stopped half-way resumes where it stopped. On a day that is
    not a working day in Moscow nothing is issued."""
    container = _container(database_url)
    day = date.fromisoformat(on) if on else moscow_date(container.clock.now())
    _batch_gc()
    if as_json:
        report = sweep(container.uow, container.clock, day, chunk_size=chunk_size, again=again)
        typer.echo(sweep_json(report))
        return
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,.0f}"),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task(f"Sweeping {day}: people examined", total=None)
        report = sweep(
            container.uow,
            container.clock,
            day,
            chunk_size=chunk_size,
            progress=lambda n: progress.advance(task, n),
            again=again,
        )
    print_sweep(report, console)


@outbox_app.command("run")
def outbox_run(
    limit: Annotated[int, typer.Option("--limit", min=1, help="Messages per round")] = 200,
    database_url: DatabaseUrl = None,
) -> None:
    """Send every due message in the outbox now, then report what is left."""
    container = _container(database_url)
    sent = failed = gave_up = 0
    while True:
        report = deliver_due(container.uow, container.clock, container.delivery, limit=limit)
        sent, failed, gave_up = sent + report.sent, failed + report.failed, gave_up + report.gave_up
        if report.handled < limit:
            break
    with container.uow() as uow:
        pending = pending_count(uow)
    console.print(
        f"{sent} sent, {failed} failed (will be retried), {gave_up} given up; {pending} pending"
    )
