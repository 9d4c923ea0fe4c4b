"""The sandbox acquirer: a working ``PaymentProvider`` for development, tests and demos.

- ``create_payment`` is stateless: the reference is the order itself (payment id, amount,
  expiry, return address), signed, so nothing is written while Amina's transaction is open.
- The checkout page (``/sandbox/checkout/{ref}``, served by Amina outside production) lets the
  person pay, decline, or pay while the callback gets lost; an abandoned checkout times out.
  What happened is kept in ``sandbox_payments`` (the acquirer's own book).
- Callbacks are JSON signed with HMAC-SHA256 (``X-Payment-Signature``); ``verify_callback``
  refuses anything else. ``status`` answers reconciliation; ``refund`` marks money returned.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Engine, insert, select, update

from amina.adapters.db.patent.tables import SandboxPaymentRow
from amina.services.clock import Clock
from amina.services.ports import (
    CheckoutSession,
    InvalidCallback,
    PaymentOrder,
    ProviderReport,
    ProviderState,
)

SIGNATURE_HEADER = "X-Payment-Signature"


class Outcome(StrEnum):
    pay = "pay"
    decline = "decline"
    #: paid, but the callback never reaches Amina (reconciliation must find it)
    lose_callback = "lose_callback"


@dataclass(frozen=True)
class SandboxOrder:
    ref: str
    payment_id: str
    amount: Decimal
    expires_at: datetime
    return_url: str


class CheckoutClosed(RuntimeError):
    """The checkout has expired or was already completed."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SandboxProvider:
    name = "sandbox"

    def __init__(self, engine: Engine, clock: Clock, secret: str, base_url: str) -> None:
        self._engine = engine
        self._clock = clock
        self._secret = secret.encode()
        self._base_url = base_url.rstrip("/")

    def sign(self, data: bytes) -> str:
        return hmac.new(self._secret, data, hashlib.sha256).hexdigest()

    # --- the port --------------------------------------------------------------------------

    def create_payment(self, order: PaymentOrder) -> CheckoutSession:
        payload = json.dumps(
            {
                "p": order.payment_id,
                "a": str(order.amount),
                "e": int(order.expires_at.timestamp()),
                "r": order.return_url,
            },
            separators=(",", ":"),
        ).encode()
        ref = f"{_b64(payload)}.{self.sign(payload)[:32]}"
        return CheckoutSession(ref, f"{self._base_url}/sandbox/checkout/{ref}")

    def status(self, provider_ref: str) -> ProviderReport:
        order = self.order(provider_ref)
        if order is None:
            raise InvalidCallback("unknown sandbox reference")
        with self._engine.connect() as conn:
            row = conn.execute(
                select(SandboxPaymentRow).where(SandboxPaymentRow.ref == provider_ref)
            ).first()
        if row is None:
            state = (
                ProviderState.expired
                if self._clock.now() > order.expires_at
                else ProviderState.pending
            )
            return ProviderReport(order.payment_id, provider_ref, state)
        return ProviderReport(
            order.payment_id,
            provider_ref,
            ProviderState(row.state),
            Decimal(row.amount),
            row.paid_at,
        )

    def verify_callback(self, body: bytes, signature: str | None) -> ProviderReport:
        if not signature or not hmac.compare_digest(self.sign(body), signature):
            raise InvalidCallback("signature does not verify")
        try:
            data = json.loads(body)
            return ProviderReport(
                payment_id=str(data["payment_id"]),
                provider_ref=str(data["provider_ref"]),
                state=ProviderState(data["state"]),
                amount=None if data.get("amount") is None else Decimal(str(data["amount"])),
                paid_at=None
                if data.get("paid_at") is None
                else datetime.fromisoformat(data["paid_at"]),
            )
        except (ValueError, KeyError, TypeError) as error:
            raise InvalidCallback("unreadable callback") from error

    def refund(self, provider_ref: str, amount: Decimal) -> None:  # noqa: ARG002 (refunds in full)
        with self._engine.begin() as conn:
            conn.execute(
                update(SandboxPaymentRow)
                .where(SandboxPaymentRow.ref == provider_ref)
                .values(state=ProviderState.refunded.value, refunded_at=self._clock.now())
            )

    # --- the checkout page's side ------------------------------------------------------------

    def order(self, ref: str) -> SandboxOrder | None:
        """The order behind a reference, if its signature holds."""
        encoded, _, signature = ref.partition(".")
        try:
            payload = _unb64(encoded)
        except ValueError:
            return None
        if not hmac.compare_digest(self.sign(payload)[:32], signature):
            return None
        data = json.loads(payload)
        return SandboxOrder(
            ref,
            str(data["p"]),
            Decimal(data["a"]),
            datetime.fromtimestamp(int(data["e"]), UTC),
            str(data["r"]),
        )

    def complete(self, order: SandboxOrder, outcome: Outcome) -> ProviderReport:
        """The person pressed a button on the checkout page: record what happened."""
        now = self._clock.now()
        if now > order.expires_at:
            raise CheckoutClosed("the checkout has expired")
        paid = outcome in (Outcome.pay, Outcome.lose_callback)
        state = ProviderState.succeeded if paid else ProviderState.failed
        with self._engine.begin() as conn:
            existing = conn.execute(
                select(SandboxPaymentRow.ref).where(SandboxPaymentRow.ref == order.ref)
            ).first()
            if existing is not None:
                raise CheckoutClosed("the checkout was already completed")
            conn.execute(
                insert(SandboxPaymentRow).values(
                    ref=order.ref,
                    payment_id=order.payment_id,
                    amount=str(order.amount),
                    state=state.value,
                    paid_at=now if paid else None,
                    recorded_at=now,
                    refunded_at=None,
                )
            )
        return ProviderReport(
            order.payment_id, order.ref, state, order.amount, now if paid else None
        )

    def callback(self, report: ProviderReport) -> tuple[bytes, str]:
        """The signed callback the acquirer sends for ``report``: (body, signature)."""
        body = json.dumps(
            {
                "payment_id": report.payment_id,
                "provider_ref": report.provider_ref,
                "state": report.state.value,
                "amount": None if report.amount is None else str(report.amount),
                "paid_at": None if report.paid_at is None else report.paid_at.isoformat(),
            },
            separators=(",", ":"),
        ).encode()
        return body, self.sign(body)
