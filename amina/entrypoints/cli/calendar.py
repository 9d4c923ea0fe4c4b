"""`amina calendar override DATE --working|--day-off --reason "..."` (and ``--remove``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.console import Console

from amina.bootstrap import build
from amina.services.audit.trail import SYSTEM
from amina.services.errors import AminaError
from amina.services.policy.calendar import submit_calendar_override, withdraw_calendar_override
from amina.settings import load_settings

console = Console()


def calendar_override(
    day: Annotated[str, typer.Argument(metavar="DATE", help="YYYY-MM-DD")],
    reason: Annotated[
        str, typer.Option("--reason", help="Why, e.g. the decree this follows (audited)")
    ],
    working: Annotated[
        bool | None,
        typer.Option("--working/--day-off", help="Mark DATE a working day or a day off"),
    ] = None,
    remove: Annotated[
        bool, typer.Option("--remove", help="Drop the override: the library decides again")
    ] = False,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="SQLAlchemy URL (default: DATABASE_URL)")
    ] = None,
) -> None:
    """Mark a day as working or off, overriding the production calendar (audited)."""
    try:
        when = date.fromisoformat(day)
    except ValueError as error:
        raise typer.BadParameter("DATE must be YYYY-MM-DD", param_hint="DATE") from error
    if remove == (working is not None):
        raise typer.BadParameter("give exactly one of --working, --day-off or --remove")
    container = build(load_settings(database_url=database_url))
    try:
        if remove:
            withdraw_calendar_override(container.uow, container.clock, SYSTEM, when, reason)
        else:
            submit_calendar_override(
                container.uow, container.clock, SYSTEM, when, bool(working), reason
            )
    except AminaError as error:
        console.print(f"[red]{error.title}: {error.detail or error.code}[/]")
        raise typer.Exit(1) from error
    finally:
        container.engine.dispose()
    if remove:
        console.print(f"{when}: override removed; the production calendar decides again.")
    else:
        console.print(f"{when}: {'working day' if working else 'day off'} (override saved).")
