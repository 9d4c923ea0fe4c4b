"""`amina check-in remind`: queue today's evening check-in pushes now (the scheduler does it
every five minutes); the outbox worker, or `amina outbox run`, sends them."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from amina.bootstrap import build
from amina.services.check_in.reminders import send_check_in_reminders
from amina.settings import load_settings

check_in_app = typer.Typer(help="The evening check-in push.", no_args_is_help=True)
console = Console()


@check_in_app.command("remind")
def remind(
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="SQLAlchemy URL (default: DATABASE_URL)")
    ] = None,
) -> None:
    """Queue the check-in push for everyone it is due for now (once a person and day)."""
    container = build(load_settings(database_url=database_url))
    sent = send_check_in_reminders(container.uow, container.clock)
    console.print(f"{sent} check-in reminder(s) queued")
