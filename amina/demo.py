"""Demo data: loaded by `amina demo load` and `amina serve --demo` (idempotent)."""

from __future__ import annotations

from rich.console import Console

from amina.bootstrap import Container


def load_demo(container: Container, console: Console) -> None:
    console.print("[green]Demo data loaded.[/]")
