"""The provider used where no acquirer is configured (production until a contract exists):
every call says payment is unavailable, so the app shows that plainly instead of failing."""

from __future__ import annotations

from decimal import Decimal

from amina.services.ports import (
    CheckoutSession,
    InvalidCallback,
    PaymentOrder,
    PaymentUnavailable,
    ProviderReport,
)


class UnconfiguredPaymentProvider:
    name = "none"

    def create_payment(self, order: PaymentOrder) -> CheckoutSession:
        raise PaymentUnavailable("no payment provider is configured")

    def status(self, provider_ref: str) -> ProviderReport:
        raise PaymentUnavailable("no payment provider is configured")

    def verify_callback(self, body: bytes, signature: str | None) -> ProviderReport:
        raise InvalidCallback("no payment provider is configured")

    def refund(self, provider_ref: str, amount: Decimal) -> None:
        raise PaymentUnavailable("no payment provider is configured")
