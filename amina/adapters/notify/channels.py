"""Local implementations of the delivery ports, and the choice of implementations.

- :class:`LocalSmsChannel` — development and tests: an SMS is recorded once per idempotency key
  and shown at ``/dev/sms`` with the sign-in codes (``dev_sms_outbox``).
- :class:`GatewaySmsChannel` — production: hands the text to the SMS provider's gateway
  (``services.ports.SmsGateway``). A provider adapter must pass the key on as the provider's
  client message id so that the provider drops repeats; the unconfigured gateway sends nothing.
- :class:`LocalPushSender` — records web push notifications instead of sending them, for
  tests and machines without ``pywebpush``.
- :class:`GuardedPushSender` — wraps every push sender: checks the endpoint against the
  push service allow-list and resolves its name again right before sending; an endpoint that
  is (no longer) allowed is never contacted and its subscription ends.
- :class:`PublicLinkPushSender` — wraps every push sender too: the link a notification opens
  (a path such as ``/app/inbox``) leaves the server, so it starts with the public base URL
  (``settings.base_url``).
- :func:`delivery_channels` — which ones the composition root uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import structlog
from rich.console import Console
from sqlalchemy import Engine, insert

from amina.adapters.db.identity.tables import DevSmsRow
from amina.adapters.notify.receipts import record_receipt
from amina.services.clock import Clock
from amina.services.delivery.channels import (
    DeliveryChannels,
    PushSender,
    PushTarget,
    RecipientGone,
)
from amina.services.delivery.push_endpoints import PushEndpoints
from amina.services.ports import SmsGateway
from amina.settings import Settings

log = structlog.get_logger("amina.notify")


class LocalSmsChannel:
    """Development and tests: one stored SMS per key (a repeat is ignored), shown at /dev/sms."""

    def __init__(self, engine: Engine, clock: Clock, *, echo: bool = False) -> None:
        self._engine = engine
        self._clock = clock
        self._console = Console(stderr=False, highlight=False) if echo else None

    def send(self, to: str, text: str, idempotency_key: str) -> None:
        with self._engine.begin() as connection:
            fresh = record_receipt(
                connection, self._clock, "sms", idempotency_key, to, {"text": text}
            )
            if fresh:
                connection.execute(
                    insert(DevSmsRow).values(to=to, text=text, sent_at=self._clock.now())
                )
        if fresh and self._console is not None:  # development: codes in the terminal
            self._console.print(f"[bold magenta]SMS to {to}:[/] {text}")


class GatewaySmsChannel:
    """Production: the provider's gateway sends the text (see the module docstring)."""

    def __init__(self, gateway: SmsGateway) -> None:
        self._gateway = gateway

    def send(self, to: str, text: str, _idempotency_key: str) -> None:
        # SmsGateway takes no key yet: a provider adapter must pass it on (module docstring).
        self._gateway.send(to, text)


class LocalPushSender:
    """Records web push notifications (one per key) instead of sending them."""

    def __init__(self, engine: Engine, clock: Clock, public_key: str | None = None) -> None:
        self._engine = engine
        self._clock = clock
        self._public_key = public_key

    @property
    def public_key(self) -> str | None:
        return self._public_key

    def push(self, target: PushTarget, payload: Mapping[str, Any], idempotency_key: str) -> None:
        with self._engine.begin() as connection:
            record_receipt(
                connection, self._clock, "push", idempotency_key, target.endpoint, payload
            )


class GuardedPushSender:
    """Sends only to endpoints that pass :class:`PushEndpoints` at the moment of sending."""

    def __init__(self, inner: PushSender, endpoints: PushEndpoints) -> None:
        self._inner = inner
        self._endpoints = endpoints

    @property
    def public_key(self) -> str | None:
        return self._inner.public_key

    def push(self, target: PushTarget, payload: Mapping[str, Any], idempotency_key: str) -> None:
        refusal = self._endpoints.refusal(target.endpoint)
        if refusal is not None:
            log.warning("push.endpoint_refused", reason=refusal.value)
            raise RecipientGone(f"push endpoint refused ({refusal.value})")
        self._inner.push(target, payload, idempotency_key)


class PublicLinkPushSender:
    """Makes a notification's ``url`` absolute with the public base URL: the notification is
    opened from the phone's notification centre, not from a page of this server."""

    def __init__(self, inner: PushSender, base_url: str) -> None:
        self._inner = inner
        self._base_url = base_url

    @property
    def public_key(self) -> str | None:
        return self._inner.public_key

    def push(self, target: PushTarget, payload: Mapping[str, Any], idempotency_key: str) -> None:
        url = payload.get("url")
        if isinstance(url, str) and url.startswith("/") and not url.startswith("//"):
            payload = {**payload, "url": self._base_url + url}
        self._inner.push(target, payload, idempotency_key)


def delivery_channels(
    settings: Settings, engine: Engine, clock: Clock, sms: SmsGateway, endpoints: PushEndpoints
) -> DeliveryChannels:
    """Local channels outside production; the real ones (SMS provider gateway, web push with
    VAPID keys from ``settings.data_dir``) in production. Web push is real in development too
    when ``pywebpush`` is installed, so the app can be tried on a phone."""
    from amina.adapters.external.controlled_persons import LocalControlledPersonsRegistry
    from amina.adapters.notify.webpush import web_push_sender

    registry = LocalControlledPersonsRegistry(engine, clock)
    if settings.env.value == "test":
        return DeliveryChannels(
            LocalSmsChannel(engine, clock),
            GuardedPushSender(
                PublicLinkPushSender(LocalPushSender(engine, clock), settings.base_url), endpoints
            ),
            registry,
        )
    web_push = web_push_sender(settings)
    push: PushSender = GuardedPushSender(
        PublicLinkPushSender(
            web_push if web_push is not None else LocalPushSender(engine, clock), settings.base_url
        ),
        endpoints,
    )
    if settings.is_production:
        if web_push is None:
            log.error("push.unavailable", reason="pywebpush is not installed")
        return DeliveryChannels(GatewaySmsChannel(sms), push, registry)
    return DeliveryChannels(
        LocalSmsChannel(engine, clock, echo=settings.env.value == "development"), push, registry
    )
