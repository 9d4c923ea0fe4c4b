"""The composition root: builds settings, clock, database and gateways once, and wires them.

Nothing is built at import time; ``build()`` is called by the CLI, the tests and the ASGI
factory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from amina.adapters.db.engine import make_engine, make_session_factory
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.services.clock import Clock, clock_from_spec
from amina.services.delivery.channels import DeliveryChannels, fake_channels
from amina.services.delivery.push_endpoints import (
    HostResolver,
    PushEndpoints,
    resolves_nothing,
)
from amina.services.ports import FakeSmsGateway, SmsGateway
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
    #: Called after a commit that put a sign-in code in the outbox: wakes the outbox worker
    #: (in tests, which run no worker, it delivers the codes there and then).
    wake_outbox: Callable[[], None] = field(default=lambda: None)
    #: Where web push may go (allow-list + resolver), checked on subscribing and sending.
    push_endpoints: PushEndpoints = field(default_factory=lambda: PushEndpoints(resolves_nothing))


def build(
    settings: Settings | None = None,
    clock: Clock | None = None,
    resolve_host: HostResolver | None = None,
) -> Container:
    """``resolve_host`` replaces the system's name resolver (tests)."""
    settings = settings or load_settings()
    engine = make_engine(settings.database_url)
    session_factory = make_session_factory(engine)
    clock = clock or clock_from_spec(settings.clock)
    sms = _sms_gateway(settings, engine, clock)
    endpoints = _push_endpoints(settings, resolve_host)
    container = Container(
        settings=settings,
        clock=clock,
        engine=engine,
        uow=lambda: UnitOfWork(session_factory),
        sms=sms,
        delivery=_delivery_channels(settings, engine, clock, sms, endpoints),
        push_endpoints=endpoints,
    )
    container.wake_outbox = _outbox_wake(container)
    return container


def _outbox_wake(container: Container) -> Callable[[], None]:
    from amina.services.delivery.outbox import deliver_due, wake_worker
    from amina.services.identity.sign_in import OTP_KEY_PREFIX

    if container.settings.env.value != "test":
        return wake_worker

    def deliver_codes_now() -> None:
        deliver_due(container.uow, container.clock, container.delivery, key_prefix=OTP_KEY_PREFIX)

    return deliver_codes_now


def _push_endpoints(settings: Settings, resolve_host: HostResolver | None) -> PushEndpoints:
    from amina.adapters.notify.resolver import system_resolver

    return PushEndpoints(resolve_host or system_resolver, tuple(settings.push_services))


def _delivery_channels(
    settings: Settings, engine: Engine, clock: Clock, sms: SmsGateway, endpoints: PushEndpoints
) -> DeliveryChannels:
    from amina.adapters.notify.channels import delivery_channels

    return delivery_channels(settings, engine, clock, sms, endpoints)


def _sms_gateway(settings: Settings, engine: Engine, clock: Clock) -> SmsGateway:
    from amina.adapters.notify.sms import LocalSmsGateway, UnconfiguredSmsGateway

    if settings.is_production:
        return UnconfiguredSmsGateway()
    return LocalSmsGateway(engine, clock, echo=settings.env.value == "development")
