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
    return []


def load_demo(container: Container, console: Console) -> None:
    for loader in _loaders():
        loader(container, console)
    console.print("[green]Demo data loaded.[/]")
