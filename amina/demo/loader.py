"""Demo data: loaded by `amina demo load` and `amina serve --demo` (idempotent).

Each feature contributes a loader; they run in order, each in its own unit of work, and
each prints what a newcomer needs to try the feature (credentials, codes).
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console

from amina.bootstrap import Container

DemoLoader = Callable[[Container, Console], None]


def _loaders() -> list[DemoLoader]:
    # Imported here so that `amina --help` stays fast.
    from amina.demo.addresses import load_demo_addresses
    from amina.demo.booking import load_demo_bookings
    from amina.demo.cards import load_demo_cards
    from amina.demo.patents import load_demo_patents
    from amina.demo.registrations import load_demo_registrations
    from amina.demo.staff import load_demo_staff

    return [
        load_demo_staff,
        load_demo_cards,
        load_demo_addresses,
        load_demo_registrations,
        load_demo_patents,
        load_demo_bookings,
    ]


def load_demo(container: Container, console: Console) -> None:
    for loader in _loaders():
        loader(container, console)
    console.print("[green]Demo data loaded.[/]")
