"""In-memory implementations of the ports (amina.services.ports and
amina.services.delivery.channels)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from amina.services.delivery.channels import (
    DeliveryChannels,
    DeliveryFailed,
    PushTarget,
    RecipientGone,
)
from amina.services.ports import (
    CheckoutSession,
    InvalidCallback,
    PaymentOrder,
    ProviderReport,
    ProviderState,
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


class FakePaymentProvider:
    """In-memory acquirer for unit tests: every payment stays pending until ``settle``."""

    name = "fake"

    def __init__(self) -> None:
        self.orders: dict[str, PaymentOrder] = {}
        self.states: dict[str, ProviderReport] = {}
        self.refunds: list[tuple[str, Decimal]] = []

    def create_payment(self, order: PaymentOrder) -> CheckoutSession:
        ref = f"fake-{order.payment_id}"
        self.orders[ref] = order
        self.states[ref] = ProviderReport(order.payment_id, ref, ProviderState.pending)
        return CheckoutSession(ref, f"https://pay.invalid/{ref}")

    def settle(self, ref: str, state: ProviderState, paid_at: datetime | None = None) -> None:
        order = self.orders[ref]
        self.states[ref] = ProviderReport(order.payment_id, ref, state, order.amount, paid_at)

    def status(self, provider_ref: str) -> ProviderReport:
        return self.states[provider_ref]

    def verify_callback(self, body: bytes, signature: str | None) -> ProviderReport:
        raise InvalidCallback("the fake provider sends no callbacks")

    def refund(self, provider_ref: str, amount: Decimal) -> None:
        self.refunds.append((provider_ref, amount))
