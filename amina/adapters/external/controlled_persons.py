"""The Interior Ministry's Registry of Controlled Persons — local implementation.

Amina has no connection to the real registry yet; its interface is the documented contract in
docs/registry-contract.md. This implementation receives messages exactly as the contract says
(a referral or a withdrawal, with an idempotency key; a repeated key is acknowledged and
ignored) and records them in ``local_receipts`` (channel ``registry``), where development
pages, demos and tests can see what the registry "received".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine

from amina.adapters.notify.receipts import Receipt, receipts, record_receipt
from amina.services.clock import Clock

CHANNEL = "registry"


class LocalControlledPersonsRegistry:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    def submit(self, message: Mapping[str, Any], idempotency_key: str) -> None:
        with self._engine.begin() as connection:
            record_receipt(
                connection,
                self._clock,
                CHANNEL,
                idempotency_key,
                str(message.get("referral_id", "")),
                message,
            )

    def received(self) -> list[Receipt]:
        """Everything the registry received, newest first."""
        return receipts(self._engine, CHANNEL)
