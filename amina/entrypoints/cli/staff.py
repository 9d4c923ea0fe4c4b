"""`amina staff create|list|disable|reset-mfa`: staff accounts from the command line.

The CLI acts as the system (audited as role 'system'); nobody needs to be signed in.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from amina.adapters.db.migrate import is_current
from amina.bootstrap import Container, build
from amina.domain.roles import Role
from amina.services.errors import AminaError
from amina.services.staff.accounts import (
    SecondFactorEnrolment,
    create_staff_account,
    disable_staff_account,
    list_staff,
    reset_staff_second_factor,
)
from amina.settings import load_settings

staff_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
console = Console()

DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="SQLAlchemy URL (default: DATABASE_URL)")
]


def explain(error: AminaError) -> str:
    """An AminaError in one English line (the CLI speaks English)."""
    parts = [error.title % error.params if error.params else error.title]
    if error.detail:
        parts.append(error.detail % error.params if error.params else error.detail)
    parts.extend(
        f"{e.field}: {e.message % e.params if e.params else e.message}" for e in error.errors
    )
    return ". ".join(parts)


@contextmanager
def migrated_container(database_url: str | None, **settings: object) -> Iterator[Container]:
    """The container, if the database schema is current (else exit 2 with advice).
    ``settings`` override other settings (CLI options; None leaves a setting alone)."""
    container = build(load_settings(database_url=database_url, **settings))
    try:
        if not is_current(container.engine):
            console.print("[red]The database is not up to date: run `amina db upgrade` first.[/]")
            raise typer.Exit(2)
        yield container
    finally:
        container.engine.dispose()


def _print_enrolment(enrolment: SecondFactorEnrolment) -> None:
    console.print(f"TOTP secret:  [bold]{enrolment.secret}[/]")
    console.print(f"otpauth URI:  {enrolment.otpauth_uri}", soft_wrap=True)
    console.print(
        "[yellow]Shown once: enter the secret (or the URI as a QR code) in an authenticator "
        "app now.[/]"
    )


@staff_app.command("create")
def staff_create(
    username: Annotated[str, typer.Argument(help="Login name: a-z, 0-9, . _ -")],
    role: Annotated[Role, typer.Option("--role", help="operator, inspector, supervisor, auditor")],
    name: Annotated[str, typer.Option("--name", help="The person's full name")],
    password: Annotated[
        str | None,
        typer.Option(
            "--password", help="At least 12 characters; generated and printed when left out"
        ),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a staff account; prints the password (if generated) and the second factor."""
    with migrated_container(database_url) as container:
        try:
            created = create_staff_account(
                container.uow,
                container.clock,
                username=username,
                role=role,
                display_name=name,
                password=password,
            )
        except AminaError as error:
            console.print(f"[red]{explain(error)}[/]")
            raise typer.Exit(1) from error
    account = created.account
    console.print(f"[green]Staff account {account.username} ({account.role.value}) created.[/]")
    if created.password is not None:
        console.print(f"Password:     [bold]{created.password}[/]")
    _print_enrolment(created.second_factor)


@staff_app.command("list")
def staff_list(database_url: DatabaseUrl = None) -> None:
    """List staff accounts."""
    with migrated_container(database_url) as container, container.uow() as uow:
        accounts = list_staff(uow)
    table = Table(title="Staff accounts")
    for column in ("number", "username", "name", "role", "status"):
        table.add_column(column)
    for account in accounts:
        table.add_row(
            str(account.number),
            account.username,
            account.display_name,
            account.role.value,
            "active" if account.active else "disabled",
        )
    console.print(table)


@staff_app.command("disable")
def staff_disable(
    username: Annotated[str, typer.Argument(help="The account to disable")],
    database_url: DatabaseUrl = None,
) -> None:
    """Disable a staff account and end its sessions."""
    with migrated_container(database_url) as container:
        try:
            disable_staff_account(container.uow, container.clock, username)
        except AminaError as error:
            console.print(f"[red]{explain(error)}[/]")
            raise typer.Exit(1) from error
    console.print(f"[green]{username}: disabled; its sessions have ended.[/]")


@staff_app.command("reset-mfa")
def staff_reset_mfa(
    username: Annotated[str, typer.Argument(help="The account whose phone was lost or replaced")],
    database_url: DatabaseUrl = None,
) -> None:
    """Give an account a new TOTP secret (ends its sessions, lifts a lock-out)."""
    with migrated_container(database_url) as container:
        try:
            enrolment = reset_staff_second_factor(container.uow, container.clock, username)
        except AminaError as error:
            console.print(f"[red]{explain(error)}[/]")
            raise typer.Exit(1) from error
    console.print(f"[green]{username}: new second factor.[/]")
    _print_enrolment(enrolment)
