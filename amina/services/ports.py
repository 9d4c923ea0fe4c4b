"""Ports: what the use cases need from the world outside the process (ADR 002).

Each port has a local working implementation for development, chosen in
``amina/bootstrap.py``; the in-memory fakes for tests are in ``tests/fakes/``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol


class SmsGateway(Protocol):
    """Sends one text message. Local: ``amina.adapters.notify.sms.LocalSmsGateway``."""

    def send(self, to: str, text: str) -> None:
        """Send ``text`` to the E.164 number ``to``. Called only after the transaction that
        decided to send has committed."""
        ...


@dataclass(frozen=True)
class RegisterLine:
    """One record of a card register file: its line number and its fields as read, or why it
    could not be read at all (``problem``)."""

    line: int
    fields: Mapping[str, object] | None
    problem: str | None = None


class CardRegister(Protocol):
    """A source of card register records (SPEC §2 "foreign-citizen-card register").

    Local: ``amina.adapters.external.card_register.CardRegisterFile`` (CSV or JSON Lines).
    """

    @property
    def name(self) -> str:
        """What to call the source in reports (a file name)."""
        ...

    @property
    def fingerprint(self) -> str:
        """A hash of the whole content: the same records give the same fingerprint, so an
        interrupted import of them can be resumed."""
        ...

    def count(self) -> int:
        """How many records there are (for a progress bar)."""
        ...

    def lines(self) -> Iterator[RegisterLine]:
        """The records in order. Raises :class:`UnknownColumns` before the first record when
        the source has fields the register format does not know."""
        ...


class UnknownColumns(ValueError):
    """The source names fields that are not in the register format; nothing is imported."""

    def __init__(self, columns: list[str]) -> None:
        super().__init__(f"unknown column(s): {', '.join(columns)}")
        self.columns = columns
