"""`amina import addresses DIR`: load the state address register (ГАР) for Moscow and Moscow
Oblast from its open export (folders ``77`` and ``50`` of the tax service's ``gar_xml``, or an
extract in the same format), for the registration form's address search (issue 13).

Exit status: 0 imported; 2 nothing imported (no region folder of Moscow or Moscow Oblast,
unreadable XML, database not migrated).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from xml.etree.ElementTree import ParseError

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from amina.adapters.db.migrate import is_current
from amina.adapters.external.gar.files import GarFolder
from amina.bootstrap import build
from amina.entrypoints.cli.cards import import_app
from amina.services.addresses.imports import AddressImportReport, import_addresses
from amina.services.ports import GarExport
from amina.settings import load_settings

console = Console()


def print_address_report(report: AddressImportReport, out: Console) -> None:
    table = Table(title=f"Address register import: {report.source}")
    for name in ("region", "objects", "houses", "apartments", "links", "streets", "houses found"):
        table.add_column(name, justify="right")
    for region in report.regions:
        table.add_row(
            region.region_code,
            str(region.objects),
            str(region.houses),
            str(region.apartments),
            str(region.links),
            str(region.streets),
            str(region.house_entries),
        )
    out.print(table)
    for region in report.regions:
        if region.houses_without_street:
            out.print(
                f"[yellow]{region.region_code}: {region.houses_without_street} house(s) under no "
                "street (villages without streets) are not offered as suggestions.[/]"
            )
    if report.skipped:
        out.print(f"[yellow]Skipped region folder(s) outside Amina: {', '.join(report.skipped)}[/]")


def run_address_import(export: GarExport, database_url: str | None) -> AddressImportReport:
    container = build(load_settings(database_url=database_url))
    try:
        if not is_current(container.engine):
            console.print("[red]The database is not migrated: run `amina db upgrade` first.[/]")
            raise typer.Exit(2)
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
        ) as progress:
            task = progress.add_task(f"Importing {export.name}", total=export.size())
            return import_addresses(
                container.uow, export, progress=lambda n: progress.advance(task, n)
            )
    finally:
        container.close()


@import_app.command("addresses")
def import_addresses_command(
    folder: Annotated[
        Path,
        typer.Argument(
            metavar="DIR",
            help="The register's export: folders 77 and 50 with AS_ADDR_OBJ_*, AS_HOUSES_*, "
            "AS_APARTMENTS_*, AS_ADM_HIERARCHY_* XML files",
            exists=True,
            file_okay=False,
            readable=True,
        ),
    ],
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="SQLAlchemy URL (default: DATABASE_URL)")
    ] = None,
) -> None:
    """Import the state address register for Moscow (77) and Moscow Oblast (50), streamed, one
    transaction per region: a region imported again replaces its earlier rows."""
    export = GarFolder(folder)
    if not any(code in ("77", "50") for code in export.regions()):
        console.print(f"[red]Nothing imported: {folder} has no folder 77 or 50.[/]")
        raise typer.Exit(2)
    try:
        report = run_address_import(export, database_url)
    except ParseError as error:
        console.print(f"[red]Nothing more imported: a file is not well-formed XML ({error}).[/]")
        raise typer.Exit(2) from error
    print_address_report(report, console)
