"""Web push (RFC 8030) with VAPID (RFC 8292), through ``pywebpush``.

The VAPID key pair is generated on first start into ``settings.data_dir`` (``vapid_private.pem``)
and reused afterwards; browsers subscribe with its public key
(``GET /api/v1/push/vapid-public-key``). Web push has no idempotency key of its own, so the
message's key is sent twice over: as the ``Topic`` header (a push service replaces an undelivered
message with the same topic) and as the notification ``tag`` (the app's service worker shows a
repeated tag in place of the earlier notification). A repeat therefore never shows twice.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import structlog

from amina.services.delivery.channels import DeliveryFailed, PushTarget, RecipientGone
from amina.settings import Settings

log = structlog.get_logger("amina.notify")

PRIVATE_KEY_FILE = "vapid_private.pem"
#: How long a push service keeps an undelivered notification (seconds).
TIME_TO_LIVE = 24 * 3600
#: How long to wait for the push service before counting the attempt as failed (seconds).
SEND_TIMEOUT = 10.0


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def load_or_create_vapid(data_dir: Path) -> tuple[Any, str]:
    """The VAPID key (a ``py_vapid.Vapid``) and its public key (base64url, uncompressed
    point); generated and saved on first use."""
    from cryptography.hazmat.primitives import serialization
    from py_vapid import Vapid  # comes with pywebpush

    path = data_dir / PRIVATE_KEY_FILE
    if path.exists():
        vapid = Vapid.from_file(str(path))
    else:
        data_dir.mkdir(parents=True, exist_ok=True)
        vapid = Vapid()
        vapid.generate_keys()
        vapid.save_key(str(path))
        path.chmod(0o600)
        log.info("push.vapid_keys_generated", path=str(path))
    public = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return vapid, _b64url(public)


def topic_for(idempotency_key: str) -> str:
    """A push ``Topic`` (at most 32 URL-safe base64 characters) for a message key."""
    return _b64url(hashlib.sha256(idempotency_key.encode()).digest())[:32]


class WebPushSender:
    def __init__(self, vapid: Any, public_key: str, subject: str) -> None:
        self._vapid = vapid
        self._public_key = public_key
        self._claims = {"sub": subject}

    @property
    def public_key(self) -> str | None:
        return self._public_key

    def push(self, target: PushTarget, payload: Mapping[str, Any], idempotency_key: str) -> None:
        from pywebpush import WebPushException, webpush

        try:
            webpush(
                subscription_info={
                    "endpoint": target.endpoint,
                    "keys": {"p256dh": target.p256dh, "auth": target.auth},
                },
                data=json.dumps(dict(payload), ensure_ascii=False),
                vapid_private_key=self._vapid,
                vapid_claims=dict(self._claims),
                ttl=TIME_TO_LIVE,
                headers={"Topic": topic_for(idempotency_key), "Urgency": "normal"},
                timeout=SEND_TIMEOUT,
            )
        except WebPushException as error:
            status = getattr(getattr(error, "response", None), "status_code", None)
            if status in (404, 410):
                raise RecipientGone(f"push subscription gone ({status})") from None
            raise DeliveryFailed(f"push service answered {status}") from None


def web_push_sender(settings: Settings) -> WebPushSender | None:
    """The real sender with the VAPID keys (created on first start), or None when
    ``pywebpush`` is not installed."""
    try:
        import pywebpush  # noqa: F401
    except ImportError:
        return None
    vapid, public_key = load_or_create_vapid(settings.data_dir)
    subject = settings.base_url
    if not subject.startswith("https://"):
        subject = "mailto:amina-push@localhost"
    return WebPushSender(vapid, public_key, subject)
