"""Delivery of messages through the transactional outbox: channels, retries and back-off.

A message is written to the outbox in the same transaction as the notice or decision it
announces, then sent by the outbox worker. Sending is *at least once*; every send carries the
message's idempotency key, and receivers ignore a key they have seen, so each message arrives
*exactly once per channel* even if the worker dies between sending and recording the send.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum


class Channel(StrEnum):
    sms = "sms"
    push = "push"
    registry = "registry"  # the Interior Ministry's Registry of Controlled Persons


#: First retry after this long; each further retry waits twice as long, up to MAX_BACKOFF.
FIRST_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=6)
#: After this many failed attempts a message is given up (it stays in the outbox, visible).
MAX_ATTEMPTS = 12


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt (1-based)."""
    if attempts < 1:
        return timedelta(0)
    wait: timedelta = FIRST_BACKOFF * (2 ** min(attempts - 1, 20))
    return min(wait, MAX_BACKOFF)


def gives_up(attempts: int) -> bool:
    return attempts >= MAX_ATTEMPTS


def idempotency_key(message_id: str, channel: Channel, recipient: str = "") -> str:
    """The key a receiver uses to recognise a repeat: one per message, channel and recipient."""
    return f"{message_id}:{channel.value}" + (f":{recipient}" if recipient else "")
