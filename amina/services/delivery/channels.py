"""Ports for delivering messages outside the process: SMS, web push and the Interior
Ministry's Registry of Controlled Persons (ADR 002: services reach the world through ports).

Every send carries an *idempotency key*. The outbox sends at least once; a receiver that sees
a key again must ignore the repeat, so that each message arrives once per channel even when
the worker dies between sending and recording the send. The local implementations
(``amina.adapters.notify.channels``, ``amina.adapters.external.controlled_persons``) do exactly
that; the in-memory fakes here do it too, for unit tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
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


# --- in-memory fakes (unit tests) -------------------------------------------------------------


@dataclass
class FakeSmsChannel:
    sent: dict[str, tuple[str, str]] = field(default_factory=dict)
    failures: int = 0  # fail this many sends first

    def send(self, to: str, text: str, idempotency_key: str) -> None:
        if self.failures:
            self.failures -= 1
            raise DeliveryFailed("fake SMS gateway unavailable")
        self.sent.setdefault(idempotency_key, (to, text))


@dataclass
class FakePushSender:
    pushed: dict[str, tuple[PushTarget, Mapping[str, Any]]] = field(default_factory=dict)
    gone: set[str] = field(default_factory=set)  # endpoints the browser dropped

    @property
    def public_key(self) -> str | None:
        return "BFakeVapidPublicKeyForTests"

    def push(self, target: PushTarget, payload: Mapping[str, Any], idempotency_key: str) -> None:
        if target.endpoint in self.gone:
            raise RecipientGone("subscription gone")
        self.pushed.setdefault(idempotency_key, (target, dict(payload)))


@dataclass
class FakeRegistry:
    received: dict[str, Mapping[str, Any]] = field(default_factory=dict)

    def submit(self, message: Mapping[str, Any], idempotency_key: str) -> None:
        self.received.setdefault(idempotency_key, dict(message))


def fake_channels() -> DeliveryChannels:
    return DeliveryChannels(FakeSmsChannel(), FakePushSender(), FakeRegistry())
