"""The PaymentProvider port (issue 11, point 4): the sandbox acquirer and the in-memory fake
answer the same interface; the sandbox signs what it sends and refuses what it did not sign."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from fakes.ports import FakePaymentProvider
from sqlalchemy import create_engine

from amina.adapters.db.patent.tables import SandboxPaymentRow
from amina.adapters.external.payments.sandbox import CheckoutClosed, Outcome, SandboxProvider
from amina.services.clock import FixedClock
from amina.services.ports import (
    InvalidCallback,
    PaymentOrder,
    PaymentProvider,
    ProviderState,
)

NOW = datetime(2025, 11, 5, 7, 0, tzinfo=UTC)


def _order(payment_id: str = "p-1") -> PaymentOrder:
    return PaymentOrder(
        payment_id=payment_id,
        amount=Decimal(17800),
        description="patent",
        payer_inn="500100732259",
        kbk="18210102040011000110",
        oktmo="45382000",
        expires_at=NOW + timedelta(minutes=30),
        return_url="https://amina.example/app/patent-return?payment=p-1",
    )


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def sandbox(tmp_path: Path, clock: FixedClock) -> Iterator[SandboxProvider]:
    engine = create_engine(f"sqlite:///{tmp_path / 'sandbox.sqlite3'}")
    SandboxPaymentRow.__table__.create(engine)  # type: ignore[attr-defined]
    yield SandboxProvider(engine, clock, "test-secret", base_url="")
    engine.dispose()


@pytest.fixture(params=["sandbox", "fake"])
def provider(request: pytest.FixtureRequest) -> PaymentProvider:
    if request.param == "fake":
        return FakePaymentProvider()
    return request.getfixturevalue("sandbox")  # type: ignore[no-any-return]


def test_every_provider_opens_a_payment_that_is_pending_until_paid(
    provider: PaymentProvider,
) -> None:
    session = provider.create_payment(_order())
    assert session.checkout_url
    report = provider.status(session.provider_ref)
    assert report.payment_id == "p-1"
    assert report.state is ProviderState.pending


def test_the_sandbox_checkout_pays_and_its_signed_callback_verifies(
    sandbox: SandboxProvider,
) -> None:
    session = sandbox.create_payment(_order())
    assert session.checkout_url.startswith("/sandbox/checkout/")
    order = sandbox.order(session.provider_ref)
    assert order is not None
    assert order.amount == Decimal(17800)

    report = sandbox.complete(order, Outcome.pay)
    body, signature = sandbox.callback(report)

    assert sandbox.verify_callback(body, signature) == report
    assert sandbox.status(session.provider_ref).state is ProviderState.succeeded
    with pytest.raises(CheckoutClosed):
        sandbox.complete(order, Outcome.pay)  # paid once
    with pytest.raises(InvalidCallback):
        sandbox.verify_callback(body.replace(b"17800", b"100"), signature)
    with pytest.raises(InvalidCallback):
        sandbox.verify_callback(body, None)


def test_a_tampered_reference_is_not_a_sandbox_order(sandbox: SandboxProvider) -> None:
    ref = sandbox.create_payment(_order()).provider_ref
    encoded, _, signature = ref.partition(".")
    assert sandbox.order(f"{encoded}.{'0' * len(signature)}") is None


def test_an_abandoned_sandbox_checkout_times_out_and_a_refund_is_recorded(
    sandbox: SandboxProvider, clock: FixedClock
) -> None:
    abandoned = sandbox.create_payment(_order("p-2")).provider_ref
    paid = sandbox.create_payment(_order("p-3")).provider_ref
    order = sandbox.order(paid)
    assert order is not None
    sandbox.complete(order, Outcome.lose_callback)
    clock.advance(timedelta(minutes=31))

    assert sandbox.status(abandoned).state is ProviderState.expired
    assert sandbox.status(paid).state is ProviderState.succeeded
    sandbox.refund(paid, Decimal(17800))
    assert sandbox.status(paid).state is ProviderState.refunded
