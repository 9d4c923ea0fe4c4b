"""The composition root: builds settings, clock, databases, pools, gateways and the services
that are built once per process, and wires them. Routes, jobs and commands take what they need
from the :class:`Container`; nothing else builds an engine, a pool or a long-lived service.

Nothing is built at import time and nothing here is a fake: ``build()`` picks the real or the
local implementation of each port by the settings; tests hand in fakes explicitly
(``tests/fakes``). ``build()`` is called by the CLI, the tests and the ASGI factory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from amina.adapters.clock import clock_from_spec
from amina.adapters.db.engine import make_engine, make_session_factory
from amina.adapters.db.reports.store import AsyncReportStores
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.services.audit.checkpoints import AuditCheckpointing
from amina.services.clock import Clock
from amina.services.delivery.channels import DeliveryChannels
from amina.services.delivery.push_endpoints import HostResolver, PushEndpoints
from amina.services.identity.device_credentials import RefusedCredentials
from amina.services.ports import AddressRegister, PaymentProvider, SmsGateway
from amina.services.reports.ingest import ReportIngest
from amina.settings import Environment, Settings, load_settings


@dataclass
class ReportHotPath:
    """``POST /api/v1/reports`` (PERFORMANCE.md): its own engine and pools, the ingest use
    case (it caches the policy numbers for a minute) and the memory of refused credentials."""

    #: Without pre-ping (it would cost a round trip per batch; a connection found dead fails
    #: one request, which the phone sends again). Small: SQLite serialises writers anyway.
    engine: Engine
    ingest: ReportIngest
    #: PostgreSQL: asyncpg connections for the event loop (BENCHMARKS.md); opened
    #: on the first request, closed by :meth:`close` (the app's lifespan). SQLite: None (the
    #: batches run in the threadpool on ``engine``).
    stores: AsyncReportStores | None
    refused: RefusedCredentials

    async def close(self) -> None:
        if self.stores is not None:
            await self.stores.close()
        self.engine.dispose()


@dataclass
class Container:
    settings: Settings
    clock: Clock
    engine: Engine
    uow: UnitOfWorkFactory
    #: Sign-in codes go out through it (the local gateway in development mode; the refusing
    #: stub in production: see _sms_gateway).
    sms: SmsGateway
    #: Notices and decisions leave through these (the outbox worker; amina/adapters/notify).
    delivery: DeliveryChannels
    reports: ReportHotPath
    #: Stores the report a person confirms a notice with (the confirmation answers the notice
    #: itself, so this ingest does not resolve notices).
    confirmation_ingest: ReportIngest
    #: Collects the patent's payments (issue 11; amina/adapters/external/payments).
    payments: PaymentProvider
    #: Where web push may go (allow-list + resolver), checked on subscribing and sending.
    push_endpoints: PushEndpoints
    #: Signed audit checkpoints: their directory, the trusted public keys, the signer (when
    #: this process has the private key); docs/operations.md.
    audit_checkpoints: AuditCheckpointing
    #: The state address register (issue 13): the export imported into this database.
    addresses: AddressRegister
    #: Called after a commit that put a sign-in code in the outbox: wakes the outbox worker
    #: (in tests, which run no worker, it delivers the codes there and then).
    wake_outbox: Callable[[], None]

    def close(self) -> None:
        """Dispose of the engines (the async pool is closed by the app's lifespan)."""
        self.reports.engine.dispose()
        self.engine.dispose()


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

    def uow() -> UnitOfWork:
        return UnitOfWork(session_factory)

    endpoints = _push_endpoints(settings, resolve_host)
    container = Container(
        settings=settings,
        clock=clock,
        engine=engine,
        uow=uow,
        sms=sms,
        delivery=_delivery_channels(settings, engine, clock, sms, endpoints),
        reports=_report_hot_path(settings, clock),
        confirmation_ingest=_ingest(uow, clock),
        payments=_payment_provider(settings, engine, clock),
        push_endpoints=endpoints,
        audit_checkpoints=audit_checkpointing(settings),
        addresses=_address_register(uow),
        wake_outbox=lambda: None,
    )
    container.wake_outbox = _outbox_wake(container)
    return container


def _address_register(uow: UnitOfWorkFactory) -> AddressRegister:
    from amina.adapters.external.gar.register import LocalAddressRegister

    return LocalAddressRegister(uow)


def _ingest(
    uow: UnitOfWorkFactory, clock: Clock, *, resolving_notices: bool = False
) -> ReportIngest:
    from amina.adapters.external.boundaries import region_classifier
    from amina.services.compliance.notices import resolve_notices_covered_by

    return ReportIngest(
        uow,
        clock,
        region_classifier,
        resolve_notices=resolve_notices_covered_by if resolving_notices else None,
    )


def _report_hot_path(settings: Settings, clock: Clock) -> ReportHotPath:
    engine = make_engine(settings.database_url, pool_pre_ping=False, pool_size=4, max_overflow=8)
    sessions = make_session_factory(engine)
    return ReportHotPath(
        engine=engine,
        ingest=_ingest(lambda: UnitOfWork(sessions), clock, resolving_notices=True),
        stores=(
            AsyncReportStores(settings.database_url, size=20)
            if engine.dialect.name == "postgresql"
            else None
        ),
        refused=RefusedCredentials(),
    )


def _outbox_wake(container: Container) -> Callable[[], None]:
    """Served (production, development): wake the outbox worker. Test: no worker runs, so
    the sign-in codes are delivered there and then, and a test reads them at once."""
    from amina.services.delivery.outbox import deliver_due, wake_worker
    from amina.services.identity.sign_in import OTP_KEY_PREFIX

    if container.settings.env is not Environment.test:
        return wake_worker

    def deliver_codes_now() -> None:
        deliver_due(container.uow, container.clock, container.delivery, key_prefix=OTP_KEY_PREFIX)

    return deliver_codes_now


def _push_endpoints(settings: Settings, resolve_host: HostResolver | None) -> PushEndpoints:
    from amina.adapters.notify.resolver import system_resolver

    # A local push endpoint (a test's receiver) never in production, whatever the settings say.
    local = () if settings.is_production else tuple(settings.push_local_endpoints)
    return PushEndpoints(
        resolve_host or system_resolver, tuple(settings.push_services), local_origins=local
    )


def _delivery_channels(
    settings: Settings, engine: Engine, clock: Clock, sms: SmsGateway, endpoints: PushEndpoints
) -> DeliveryChannels:
    from amina.adapters.notify.channels import delivery_channels

    return delivery_channels(settings, engine, clock, sms, endpoints)


def _sms_gateway(settings: Settings, engine: Engine, clock: Clock) -> SmsGateway:
    """Production: no provider's adapter exists yet, so the refusing stub (it sends nothing
    and logs that it could not; ``amina serve`` says so when it starts). Development mode:
    the local gateway (``/dev/sms``; printed on the terminal in development)."""
    from amina.adapters.notify.sms import LocalSmsGateway, UnconfiguredSmsGateway

    if settings.is_production:
        return UnconfiguredSmsGateway()
    return LocalSmsGateway(engine, clock, echo=settings.env is Environment.development)


def _payment_provider(settings: Settings, engine: Engine, clock: Clock) -> PaymentProvider:
    from amina.adapters.external.payments.sandbox import SandboxProvider
    from amina.adapters.external.payments.unconfigured import UnconfiguredPaymentProvider

    if settings.payment_provider == "sandbox" and settings.is_development_mode:
        # its checkout page is served by this same service: a same-origin (relative) address
        return SandboxProvider(engine, clock, settings.payment_secret, base_url="")
    return UnconfiguredPaymentProvider()


def audit_checkpointing(settings: Settings) -> AuditCheckpointing:
    """The checkpoint directory, trusted public keys and signer (if any) the settings name."""
    from amina.adapters.audit_checkpoints.directory import CheckpointDirectory
    from amina.adapters.audit_checkpoints.keys import load_signer, trusted_keys

    key_pem = settings.audit_signing_key
    signer = load_signer(
        settings.audit_signing_key_file, key_pem.get_secret_value() if key_pem else None
    )
    return AuditCheckpointing(
        archive=CheckpointDirectory(settings.checkpoint_dir),
        keys=trusted_keys(signer, settings.audit_public_key_files),
        signer=signer,
    )
