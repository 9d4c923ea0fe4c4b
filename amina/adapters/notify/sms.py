"""SMS gateways. Amina has no contract with an SMS provider yet: outside production the local
gateway keeps every message in the ``dev_sms_outbox`` table (shared by all ``amina serve``
workers, shown at ``/dev/sms``) and prints it on the console, so a newcomer can sign in with
the demo data. In production a provider's adapter must be plugged in (bootstrap.py); until then
the unconfigured gateway logs that a message could not be sent (no number, no text).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import structlog
from rich.console import Console
from sqlalchemy import Engine, insert, select

from amina.adapters.db.identity.tables import DevSmsRow
from amina.services.clock import Clock

log = structlog.get_logger("amina.sms")


@dataclass(frozen=True)
class StoredSms:
    to: str
    text: str
    sent_at: datetime


class LocalSmsGateway:
    """Development and tests: messages go to a table (and to the console when ``echo``)."""

    def __init__(self, engine: Engine, clock: Clock, *, echo: bool = False) -> None:
        self._engine = engine
        self._clock = clock
        self._console = Console(stderr=False, highlight=False) if echo else None

    def send(self, to: str, text: str) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                insert(DevSmsRow).values(to=to, text=text, sent_at=self._clock.now())
            )
        if self._console is not None:
            self._console.print(f"[bold magenta]SMS to {to}:[/] {text}")

    def recent(self, limit: int = 100) -> list[StoredSms]:
        """The latest messages, newest first."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(DevSmsRow.to, DevSmsRow.text, DevSmsRow.sent_at)
                .order_by(DevSmsRow.id.desc())
                .limit(limit)
            ).all()
        return [StoredSms(to, text, sent_at) for to, text, sent_at in rows]


class UnconfiguredSmsGateway:
    """Production without a provider: nothing can be sent; say so in the logs (no number and
    no text — they are personal data and a secret)."""

    def send(self, _to: str, _text: str) -> None:
        log.error("sms.not_sent", reason="no SMS provider configured")
