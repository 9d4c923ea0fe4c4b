"""The demo's address register: a small extract of the state address register (ГАР) in its own
export format, made by the project (``amina/data/gar-demo``: the demo persons' streets and a
few more in Moscow and Moscow Oblast, invented ids; see amina/data/README.md), imported the
same way as the real export (``amina import addresses``). Loaded only into an empty register,
so a real import is never overwritten. Not in production.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from amina.adapters.external.gar.files import GarFolder
from amina.bootstrap import Container
from amina.services.addresses.imports import import_addresses, register_loaded

DEMO_EXTRACT = Path(__file__).resolve().parent.parent / "data" / "gar-demo"


def load_demo_addresses(container: Container, console: Console) -> None:
    if container.settings.is_production:
        console.print("[yellow]The demo address register is not loaded in production.[/]")
        return
    if register_loaded(container.uow):
        return
    report = import_addresses(container.uow, GarFolder(DEMO_EXTRACT))
    houses = sum(region.house_entries for region in report.regions)
    console.print(
        f"[bold]Demo address register[/] — {houses} houses to find in the registration form, "
        "e.g. type [bold]тверская 7[/] or [bold]химки ленинградская[/]"
    )
