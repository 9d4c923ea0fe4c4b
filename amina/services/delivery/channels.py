"""Ports for delivering messages outside the process: SMS, web push and the Interior
Ministry's Registry of Controlled Persons (ADR 002: services reach the world through ports).

Every send carries an *idempotency key*. The outbox sends at least once; a receiver that sees
a key again must ignore the repeat, so that each message arrives once per channel even when
the worker dies between sending and recording the send. The local implementations
(``amina.adapters.notify.channels``, ``amina.adapters.external.controlled_persons``) do exactly
that; so do the in-memory fakes for tests (``tests/fakes/ports.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol


class DeliveryFailed(Exception):
    """The channel could not take the message now; the outbox tries again later. The message
    must not contain personal data (it is logged and stored as ``last_error``)."""


class RecipientGone(DeliveryFailed):
    """The recipient no longer exists (a push subscription the browser dropped): do not retry."""


@dataclass(frozen=True)
class PushTarget:
    """One browser's web push subscription."""

    endpoint: str
    p256dh: str
    auth: str


class SmsChannel(Protocol):
    def send(self, to: str, text: str, idempotency_key: str) -> None:
        """Send ``text`` to the E.164 number ``to``; a repeated key is ignored."""
        ...


class PushSender(Protocol):
    @property
    def public_key(self) -> str | None:
        """The VAPID application server key browsers subscribe with (base64url), or None when
        web push is not available."""
        ...

    def push(self, target: PushTarget, payload: Mapping[str, Any], idempotency_key: str) -> None:
        """Send a notification (JSON ``payload``: title, body, url) to one subscription."""
        ...


class ControlledPersonsRegistry(Protocol):
    """The Interior Ministry's Registry of Controlled Persons (docs/registry-contract.md)."""

    def submit(self, message: Mapping[str, Any], idempotency_key: str) -> None:
        """Deliver a referral or its withdrawal; a repeated key is acknowledged and ignored."""
        ...


@dataclass
class DeliveryChannels:
    """The three ports together, as the composition root builds them."""

    sms: SmsChannel
    push: PushSender
    registry: ControlledPersonsRegistry
