"""Web push: the VAPID key pair made on first start and kept, and the topic that makes a
repeated message replace the undelivered one instead of showing twice."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from amina.adapters.notify.webpush import PRIVATE_KEY_FILE, load_or_create_vapid, topic_for


def test_a_repeated_message_gets_the_same_short_topic_and_another_message_another() -> None:
    first = topic_for("3f2a…:push:sub-1")
    assert first == topic_for("3f2a…:push:sub-1")
    assert first != topic_for("3f2a…:push:sub-2")
    assert len(first) <= 32
    assert set(first) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_the_vapid_key_pair_is_made_once_and_reused(tmp_path: Path) -> None:
    pytest.importorskip("py_vapid", reason="pywebpush (with py_vapid) is not installed")
    _, public = load_or_create_vapid(tmp_path)
    assert (tmp_path / PRIVATE_KEY_FILE).exists()
    raw = base64.urlsafe_b64decode(public + "=" * (-len(public) % 4))
    assert len(raw) == 65
    assert raw[0] == 4  # an uncompressed P-256 point, as browsers expect
    _, again = load_or_create_vapid(tmp_path)
    assert again == public


class PushService:
    """A push service on localhost: records what it receives, answers with ``status``."""

    def __init__(self, status: int) -> None:
        from http.server import BaseHTTPRequestHandler, HTTPServer

        received: list[dict[str, str]] = []
        self.received = received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                self.rfile.read(length)
                received.append({k.lower(): v for k, v in self.headers.items()})
                self.send_response(status)
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                return

        self.server = HTTPServer(("127.0.0.1", 0), Handler)

    def __enter__(self) -> str:
        import threading

        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_port}/push/abc"

    def __exit__(self, *args: object) -> None:
        self.server.shutdown()


def _browser_keys() -> tuple[str, str]:
    """A browser's subscription keys: its P-256 public key and a 16-byte auth secret."""
    import os

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return b64(public), b64(os.urandom(16))


def test_a_notification_is_encrypted_signed_and_sent_with_its_topic(tmp_path: Path) -> None:
    pytest.importorskip("pywebpush", reason="pywebpush is not installed")
    from amina.adapters.notify.webpush import WebPushSender
    from amina.services.delivery.channels import PushTarget

    vapid, public = load_or_create_vapid(tmp_path)
    sender = WebPushSender(vapid, public, "mailto:amina-push@localhost")
    p256dh, auth = _browser_keys()
    service = PushService(201)
    with service as endpoint:
        sender.push(
            PushTarget(endpoint, p256dh, auth),
            {"title": "Confirm your address", "body": "…", "tag": "m1:push:s1"},
            "m1:push:s1",
        )
    [request] = service.received
    assert request["topic"] == topic_for("m1:push:s1")
    assert request["content-encoding"] == "aes128gcm"  # the payload is encrypted
    assert request["authorization"].startswith("vapid t=")  # and signed with our key
    assert public in request["authorization"]
    assert int(request["ttl"]) > 0


def test_a_subscription_the_browser_dropped_is_gone_for_good(tmp_path: Path) -> None:
    pytest.importorskip("pywebpush", reason="pywebpush is not installed")
    from amina.adapters.notify.webpush import WebPushSender
    from amina.services.delivery.channels import PushTarget, RecipientGone

    vapid, public = load_or_create_vapid(tmp_path)
    sender = WebPushSender(vapid, public, "mailto:amina-push@localhost")
    p256dh, auth = _browser_keys()
    with PushService(410) as endpoint, pytest.raises(RecipientGone):
        sender.push(PushTarget(endpoint, p256dh, auth), {"title": "t"}, "m2:push:s1")
