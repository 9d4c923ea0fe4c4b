"""In-memory implementations of the ports (amina.services.ports and
amina.services.delivery.channels)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from amina.services.delivery.channels import (
    DeliveryChannels,
    DeliveryFailed,
    PushTarget,
    RecipientGone,
)


class FakeSmsGateway:
    """Keeps what it was asked to send."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, to: str, text: str) -> None:
        self.sent.append((to, text))


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
