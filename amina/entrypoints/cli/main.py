"""The ``amina`` command line (typer + rich)."""

from __future__ import annotations

import ipaddress
import json
import os
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from amina.adapters.db import citus
from amina.adapters.db.migrate import current_revisions, head_revisions, upgrade
from amina.bootstrap import Container, build
from amina.demo.device_simulator import simulate_app
from amina.domain.calendar import WorkingCalendar
from amina.entrypoints.cli import addresses as _addresses  # noqa: F401 (registers `import addresses`)
from amina.entrypoints.cli.audit import audit_app
from amina.entrypoints.cli.calendar import calendar_override
from amina.entrypoints.cli.cards import import_app
from amina.entrypoints.cli.check_in import check_in_app
from amina.entrypoints.cli.compliance import outbox_app, sweep_command
from amina.entrypoints.cli.reports import reports_app
from amina.entrypoints.cli.staff import staff_app
from amina.services.policy.calendar import list_overrides
from amina.services.policy.versions import policy_book, store_initial_policy
from amina.settings import Environment, Settings, check_servable, load_settings

app = typer.Typer(
    help="Amina: registration of the place of stay (Moscow, Moscow Oblast).", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data.", no_args_is_help=True)
policy_app = typer.Typer(help="Policy data.", no_args_is_help=True)
calendar_app = typer.Typer(help="The working-day calendar.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(policy_app, name="policy")
app.add_typer(calendar_app, name="calendar")
app.add_typer(import_app, name="import")
app.add_typer(staff_app, name="staff")
app.add_typer(audit_app, name="audit")
app.add_typer(outbox_app, name="outbox")
app.add_typer(reports_app, name="reports")
app.add_typer(check_in_app, name="check-in")
app.add_typer(simulate_app, name="simulate")
app.command("sweep")(sweep_command)
calendar_app.command("override")(calendar_override)

console = Console()

DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="SQLAlchemy URL (default: DATABASE_URL)")
]


def _container(database_url: str | None = None, clock: str | None = None) -> Container:
    return build(load_settings(database_url=database_url, clock=clock))


def _upgrade(container: Container) -> None:
    upgrade(container.engine)
    store_initial_policy(container.uow, container.clock)


@db_app.command("upgrade")
def db_upgrade(database_url: DatabaseUrl = None) -> None:
    """Apply every migration and store the initial policy if there is none."""
    container = _container(database_url)
    _upgrade(container)
    console.print(
        f"[green]Database at revision {', '.join(sorted(current_revisions(container.engine)))}[/]"
    )


@db_app.command("current")
def db_current(database_url: DatabaseUrl = None) -> None:
    """Show the database revision and whether it is the newest."""
    container = _container(database_url)
    current = current_revisions(container.engine)
    head = head_revisions(container.engine)
    console.print(f"current: {', '.join(sorted(current)) or '(empty)'}")
    console.print(f"head:    {', '.join(sorted(head))}")
    if current != head:
        console.print("[yellow]Migrations are behind: run `amina db upgrade`.[/]")
        raise typer.Exit(1)


@db_app.command("distribute")
def db_distribute(
    database_url: DatabaseUrl = None,
    shard_count: Annotated[
        int | None,
        typer.Option(
            "--shard-count",
            min=1,
            help="Shards of the per-person tables (default: the cluster's citus.shard_count)",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the steps without running them")
    ] = False,
) -> None:
    """Distribute every table over a Citus cluster as it is declared: reference tables first,
    then the per-person tables by person_id, colocated, then the code lookup tables. Safe to
    run again. Without Citus, says so and changes nothing (docs/scale-out.md)."""
    if dry_run:
        for step in citus.plan(shard_count=shard_count):
            console.print(
                f"{step.placement.value:<11} {step.describe()}", highlight=False, soft_wrap=True
            )
        return
    container = _container(database_url)
    outcome = citus.distribute(container.engine, shard_count=shard_count)
    if not outcome.citus:
        console.print(
            "This database has no Citus extension: nothing was distributed "
            "(one PostgreSQL server or SQLite needs nothing; docs/scale-out.md)."
        )
        return
    for step in outcome.done:
        console.print(f"{step.placement.value:<11} {step.table}", highlight=False)
    console.print(
        f"[green]{len(outcome.done)} tables placed, {len(outcome.already)} already were.[/]"
    )


@policy_app.command("show")
def policy_show(
    on: Annotated[str | None, typer.Option(help="Date YYYY-MM-DD (default: every version)")] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Print the policy versions, or the one in force on a date."""
    container = _container(database_url)
    with container.uow() as uow:
        book = policy_book(uow)
    versions = [book.in_force_on(date.fromisoformat(on))] if on else list(book.versions)
    for policy in versions:
        table = Table(title=f"Policy {policy.version} (from {policy.effective_from})")
        table.add_column("rule / parameter")
        table.add_column("value")
        for rule in policy.rules:
            table.add_row(
                rule.id,
                f"from {rule.effective_from}; purposes={sorted(rule.purposes or ['any'])}; "
                f"not={sorted(rule.purposes_excluded)}; "
                f"citizenships={sorted(rule.citizenships or ['any'])}; "
                f"regions={sorted(rule.regions)}; stay>{rule.min_intended_stay_days}",
            )
        ex = policy.exemptions
        table.add_row(
            "exempt",
            f"citizenships={sorted(ex.citizenships)}; "
            f"categories={sorted(ex.categories)}; under {ex.adult_age}",
        )
        for name, value in sorted(policy.parameters.items()):
            table.add_row(name, json.dumps(value))
        console.print(table)


@calendar_app.command("working-days")
def calendar_working_days(
    start: Annotated[str, typer.Argument(metavar="FROM", help="YYYY-MM-DD")],
    end: Annotated[str, typer.Argument(metavar="TO", help="YYYY-MM-DD")],
    database_url: DatabaseUrl = None,
) -> None:
    """List every day from FROM to TO and whether it is a working day in Moscow."""
    container = _container(database_url)
    with container.uow() as uow:
        overrides = list_overrides(uow)
    decrees = {o.day: o.reason for o in overrides}
    calendar = WorkingCalendar({o.day: o.is_working for o in overrides})
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    table = Table(title=f"Working days {first} – {last} (Europe/Moscow)")
    table.add_column("date")
    table.add_column("weekday")
    table.add_column("working")
    table.add_column("note")
    day = first
    count = 0
    from datetime import timedelta

    while day <= last:
        working = calendar.is_working_day(day)
        count += working
        table.add_row(
            day.isoformat(),
            day.strftime("%a"),
            "yes" if working else "no",
            f"override: {decrees[day]}" if day in decrees else calendar.holiday_name(day) or "",
        )
        day += timedelta(days=1)
    console.print(table)
    console.print(f"{count} working day(s)")


DEMO_REFUSED = (
    "The demo data (fictional people, staff accounts with printed passwords) is loaded only in "
    "development mode: ./dev serve --demo, or AMINA_ENV=development"
)


@demo_app.command("load")
def demo_load(database_url: DatabaseUrl = None) -> None:
    """Load the demo data (idempotent; development mode only)."""
    from amina.demo.loader import load_demo

    container = _container(database_url)
    if container.settings.is_production:
        console.print(f"[red]{DEMO_REFUSED}[/]", soft_wrap=True)
        raise typer.Exit(2)
    _upgrade(container)
    load_demo(container, console)


def _binds_every_address(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:  # a host name
        return False


@app.command()
def serve(
    database_url: DatabaseUrl = None,
    host: Annotated[str | None, typer.Option(help="Address to bind")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes")] = None,
    clock: Annotated[
        str | None,
        typer.Option(help="Outside production only: fixed:2025-11-05T09:00:00+03:00 or offset:+3d"),
    ] = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="Development mode only: load the demo data first")
    ] = False,
) -> None:
    """Run the API, the pages and the scheduler in one process: production unless
    AMINA_ENV asks for development (./dev serve does)."""
    import uvicorn

    try:
        settings = load_settings(
            database_url=database_url, host=host, port=port, workers=workers, clock=clock
        )
        check_servable(settings)
    except ValueError as error:
        console.print(f"[red]{error}[/]", soft_wrap=True)
        raise typer.Exit(2) from error
    if demo and settings.is_production:
        console.print(f"[red]{DEMO_REFUSED}[/]", soft_wrap=True)
        raise typer.Exit(2)
    _say_the_mode(settings)
    container = build(settings)
    _upgrade(container)
    if demo:
        from amina.demo.loader import load_demo

        load_demo(container, console)
    # The workers rebuild the container from the environment.
    os.environ["DATABASE_URL"] = settings.database_url
    os.environ["AMINA_CLOCK"] = settings.clock
    os.environ["AMINA_ENV"] = settings.env.value
    # Links that leave the server (QR codes, push, the payment's return) start with this.
    os.environ["AMINA_PUBLIC_BASE_URL"] = settings.base_url
    url = f"http://{settings.host}:{settings.port}/"
    console.print(
        f"[bold green]Amina is running at {url}[/]  (console: {url}console, "
        f"app: {url}app, host verification: {url}verify)"
    )
    console.print(f"Links in QR codes and notifications start with {settings.base_url}")
    if not settings.public_base_url and _binds_every_address(settings.host):
        console.print(
            f"[yellow]{settings.host} is no address a phone can open: set "
            "AMINA_PUBLIC_BASE_URL to the address people reach this server at.[/]"
        )
    uvicorn.run(
        "amina.entrypoints.asgi:app_factory",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level="warning",
        access_log=False,
    )


def _say_the_mode(settings: Settings) -> None:
    """Development mode says so at start-up; production says what it cannot do."""
    if settings.is_development_mode:
        console.print(
            f"[bold yellow]Development mode (AMINA_ENV={settings.env.value}): sign-in codes go "
            "to the local SMS gateway (listed at /dev/sms"
            + (" and printed here" if settings.env is Environment.development else "")
            + "), payments to the sandbox checkout, --clock is accepted. Never expose it to "
            "the internet; production is the default without AMINA_ENV.[/]",
            soft_wrap=True,  # one line: logs and tests look for it whole
        )
        return
    # No SMS provider's adapter exists yet (docs/sign-in.md): the refusing stub sends nothing.
    console.print(
        "[bold yellow]Production mode. No SMS provider is configured: sign-in codes cannot be "
        "sent, so people cannot sign in to the app (docs/operations.md).[/]",
        soft_wrap=True,
    )


def main() -> None:
    app()
