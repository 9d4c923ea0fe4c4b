"""The composition root: builds settings, clock, database and gateways once, and wires them.

Nothing is built at import time; ``build()`` is called by the CLI, the tests and the ASGI
factory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from amina.adapters.db.engine import make_engine, make_session_factory
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.services.clock import Clock, clock_from_spec
from amina.services.delivery.channels import DeliveryChannels, fake_channels
from amina.services.ports import FakePaymentProvider, FakeSmsGateway, PaymentProvider, SmsGateway
from amina.settings import Settings, load_settings


@dataclass
class Container:
    settings: Settings
    clock: Clock
    engine: Engine
    uow: UnitOfWorkFactory
    extras: dict[str, Any] = field(default_factory=dict)
    #: Sign-in codes go out through it (local gateway outside production; see build()).
    sms: SmsGateway = field(default_factory=FakeSmsGateway)
    #: Notices and decisions leave through these (the outbox worker; amina/adapters/notify).
    delivery: DeliveryChannels = field(default_factory=fake_channels)
    #: Collects the patent's payments (issue 11; amina/adapters/external/payments).
    payments: PaymentProvider = field(default_factory=FakePaymentProvider)


def build(settings: Settings | None = None, clock: Clock | None = None) -> Container:
    settings = settings or load_settings()
    engine = make_engine(settings.database_url)
    session_factory = make_session_factory(engine)
    clock = clock or clock_from_spec(settings.clock)
    sms = _sms_gateway(settings, engine, clock)
    return Container(
        settings=settings,
        clock=clock,
        engine=engine,
        uow=lambda: UnitOfWork(session_factory),
        sms=sms,
        delivery=_delivery_channels(settings, engine, clock, sms),
        payments=_payment_provider(settings, engine, clock),
    )


def _delivery_channels(
    settings: Settings, engine: Engine, clock: Clock, sms: SmsGateway
) -> DeliveryChannels:
    from amina.adapters.notify.channels import delivery_channels

    return delivery_channels(settings, engine, clock, sms)


def _sms_gateway(settings: Settings, engine: Engine, clock: Clock) -> SmsGateway:
    from amina.adapters.notify.sms import LocalSmsGateway, UnconfiguredSmsGateway

    if settings.is_production:
        return UnconfiguredSmsGateway()
    return LocalSmsGateway(engine, clock, echo=settings.env.value == "development")


def _payment_provider(settings: Settings, engine: Engine, clock: Clock) -> PaymentProvider:
    from amina.adapters.external.payments.sandbox import SandboxProvider
    from amina.adapters.external.payments.unconfigured import UnconfiguredPaymentProvider

    if settings.payment_provider == "sandbox" and not settings.is_production:
        # its checkout page is served by this same service: a same-origin (relative) address
        return SandboxProvider(engine, clock, settings.payment_secret, base_url="")
    return UnconfiguredPaymentProvider()
