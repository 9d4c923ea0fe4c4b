"""The evening check-in, the phone's limits handled honestly (issue 13, point 7), in Chromium at
a phone's size, in Russian, Uzbek and Georgian.

After signing in, the home screen offers "remind me in the evening" with plain words about why;
the person says yes with a time. The server's job then finds no report received today and
sends ONE web push, through the outbox, as a real RFC 8291 web push request. The test runs the
push service itself: a small HTTP server at 127.0.0.1, which the server may send to only
because this test's server names it in ``AMINA_PUSH_LOCAL_ENDPOINTS`` (refused in production,
tests/unit/test_local_push_endpoint.py). The test decrypts the request with the subscription's
keys it made (``http_ece``), hands the decrypted message to the app's service worker over the
DevTools protocol (``ServiceWorker.deliverPushMessage``), and finds the notification shown.
Tapping it opens the link it carries — the test opens it as the service worker's
``notificationclick`` would — and the app sends one location fix, says so, and the server
stores it.

Headless Chromium cannot subscribe to a real push service offline, so an init script stands in
for ``PushManager.subscribe`` (and ``getSubscription``): it returns the test's endpoint and the
keys the test generated. Everything after that — the app handing the subscription to the
server, the server's job, the outbox, pywebpush's encryption, the service worker — is real.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import http_ece
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from harness import REPO, AminaServer, launch
from playwright.sync_api import Page, expect
from test_app_reporting import PersonApi, with_location
from test_person_app import card, docs_screenshot, screen, sign_in_by_card, translated

from amina.adapters.clock import SystemClock
from amina.domain.calendar import MOSCOW

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

#: Who signs in for each language: demo card holders with a registered address
#: (amina/demo/registrations.py), and where they are when they tap the push.
STORIES = {
    "ru": ("7725000004", {"latitude": 55.8890, "longitude": 37.4450, "accuracy": 10}),
    "uz": ("7725000001", {"latitude": 55.7577, "longitude": 37.6116, "accuracy": 8}),
    "ka": ("7725000014", {"latitude": 55.7069, "longitude": 37.5870, "accuracy": 12}),
}


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class PushService:
    """A push service on 127.0.0.1: it keeps every request the Amina server sends to it."""

    def __init__(self) -> None:
        received: list[dict[str, Any]] = []
        self.received = received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                received.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": self.rfile.read(length),
                    }
                )
                self.send_response(201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, path: str, timeout: float = 60.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for request in self.received:
                if request["path"] == path:
                    return request
            time.sleep(0.2)
        raise AssertionError(f"no push to {path} within {timeout} s")

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Subscription:
    """The keys a browser would make for a push subscription (P-256 key pair, auth secret)."""

    def __init__(self, service: PushService, name: str) -> None:
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.auth = os.urandom(16)
        self.path = f"/push/{name}"
        self.endpoint = service.origin + self.path
        self.keys = {"p256dh": b64url(public), "auth": b64url(self.auth)}

    def decrypt(self, body: bytes) -> dict[str, Any]:
        plain = http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm"
        )
        return dict(json.loads(plain))

    def init_script(self) -> str:
        # The test's endpoint and keys, as JSON values, in a block of their own.
        setup = (
            f"const endpoint = {json.dumps(self.endpoint)}; const keys = {json.dumps(self.keys)};"
        )
        return (
            "{ "
            + setup
            + """
          const subscription = {
            endpoint, expirationTime: null, options: { userVisibleOnly: true },
            getKey: () => null,
            toJSON: () => ({ endpoint, expirationTime: null, keys }),
            unsubscribe: () => Promise.resolve(true),
          };
          let subscribed = false;
          PushManager.prototype.subscribe = function () {
            subscribed = true;
            return Promise.resolve(subscription);
          };
          PushManager.prototype.getSubscription = function () {
            return Promise.resolve(subscribed ? subscription : null);
          };
        }"""
        )


# Each story gets its own push service and server: a story that failed half-way (a slow
# machine) leaves its subscription and its push behind, and its retry must start afresh.
@pytest.fixture
def push_service() -> Iterator[PushService]:
    service = PushService()
    yield service
    service.stop()


@pytest.fixture
def push_server(
    tmp_path_factory: pytest.TempPathFactory, push_service: PushService
) -> Iterator[AminaServer]:
    """A server of this story's own that may send web push to the test's push service."""
    folder = tmp_path_factory.mktemp("amina-check-in")
    server = launch(
        folder, extra_env={"AMINA_PUSH_LOCAL_ENDPOINTS": json.dumps([push_service.origin])}
    )
    yield server
    server.stop()


def run_check_in_job(server: AminaServer) -> str:
    """`amina check-in remind` against the server's database (the scheduler runs the same
    job every five minutes); the server's outbox worker then sends the push."""
    folder = Path(server.database_url.removeprefix("sqlite:///")).parent
    done = subprocess.run(
        [sys.executable, "-m", "amina", "check-in", "remind"],
        cwd=folder,
        env={
            **os.environ,
            "AMINA_ENV": "development",
            "DATABASE_URL": server.database_url,
            "AMINA_DATA_DIR": str(folder / "var"),
            "PYTHONPATH": str(REPO),
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def a_minute_ago_in_moscow() -> str:
    now = SystemClock().now().astimezone(MOSCOW)
    earlier = now - timedelta(minutes=1)
    return "00:00" if earlier.date() != now.date() else earlier.strftime("%H:%M")


def app_worker_registration(page: Page, server: AminaServer) -> tuple[Any, str]:
    """A DevTools session on the page and the id of the app's service worker registration."""
    cdp = page.context.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda e: registrations.extend(e["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    scope = server.url + "/app"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        found = [r for r in registrations if r["scopeURL"] == scope and not r["isDeleted"]]
        if found:
            return cdp, str(found[-1]["registrationId"])
        page.wait_for_timeout(200)
    raise AssertionError(f"no service worker registration for {scope}: {registrations}")


def notifications_shown(page: Page) -> list[dict[str, Any]]:
    return list(
        page.evaluate(
            """() => navigator.serviceWorker.ready
                .then((registration) => registration.getNotifications())
                .then((shown) => shown.map((n) => ({title: n.title, body: n.body, tag: n.tag,
                                                     url: n.data && n.data.url})))"""
        )
    )


@pytest.mark.parametrize("language", list(STORIES))
def test_the_evening_push_arrives_and_its_tap_sends_one_report(
    phone_page: Page, push_server: AminaServer, push_service: PushService, language: str
) -> None:
    number, where = STORIES[language]
    subscription = Subscription(push_service, f"{language}-{number}")
    page = phone_page
    page.context.add_init_script(subscription.init_script())
    page.context.grant_permissions(["notifications"], origin=push_server.url)

    home = sign_in_by_card(page, push_server, language, card(number))

    # The offer, in plain words, after signing in.
    offer = home.locator("#check-in-offer")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text(
        translated(
            language,
            "A web app can send your location only while it is open. If Amina has received "
            "nothing from you by the evening, it can send one notification to this phone. Tap "
            "it, and the app sends your location once.",
        )
    )
    expect(home.locator("#check-in-last")).to_have_text(
        translated(language, "No report has been received yet.")
    )
    offer.scroll_into_view_if_needed()
    docs_screenshot(page, language, "app-evening-reminder-offer.png")
    chosen = a_minute_ago_in_moscow()
    offer.get_by_label(translated(language, "Time of the reminder (Moscow time)")).fill(chosen)
    offer.get_by_role("button", name=translated(language, "Yes, remind me in the evening")).click()
    expect(page.locator("#app-message")).to_have_text(
        translated(
            language,
            "Done. Amina will remind you at %(time)s (Moscow time) on days when nothing has "
            "arrived.",
            time=chosen,
        )
    )
    expect(offer).to_be_hidden()
    api = PersonApi(page, push_server)
    assert api.get("/api/v1/me/check-in")["push_subscribed"] is True
    assert api.reports_from_this_phone() == []  # no location permission yet: nothing sent

    # The job finds no report today: one push, a real web push request, encrypted.
    run_check_in_job(push_server)
    request = push_service.wait_for(subscription.path)
    assert request["headers"]["content-encoding"] == "aes128gcm"
    message = subscription.decrypt(request["body"])
    assert message["body"] == translated(
        language, "Tap to confirm you are here. The app will send your location once."
    )
    assert message["url"] == push_server.url + "/app/check-in"
    assert set(message) == {"title", "body", "url", "tag"}  # nothing about the person
    run_check_in_job(push_server)  # a second run sends nothing more
    time.sleep(3)  # two rounds of the outbox worker
    assert [r["path"] for r in push_service.received].count(subscription.path) == 1

    # The service worker shows it.
    cdp, registration_id = app_worker_registration(page, push_server)
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": push_server.url,
            "registrationId": registration_id,
            "data": json.dumps(message, ensure_ascii=False),
        },
    )
    deadline = time.monotonic() + 15
    shown: list[dict[str, Any]] = []
    while time.monotonic() < deadline and not shown:
        shown = notifications_shown(page)
        if not shown:
            page.wait_for_timeout(200)
    assert shown == [
        {
            "title": message["title"],
            "body": message["body"],
            "tag": message["tag"],
            "url": message["url"],
        }
    ]

    # The tap: later, the app closed, the person at home; the app opens from the notification
    # (as the service worker's notificationclick opens it) and sends one fix.
    page.goto("about:blank")
    with_location(page, push_server, where)
    page.goto(shown[0]["url"])
    home = screen(page, "home")
    sent = re.escape(
        translated(
            language,
            "Thank you. Your location was sent at %(time)s: you have checked in for today.",
            time="{time}",
        )
    ).replace(re.escape("{time}"), r"\d\d:\d\d")
    expect(page.locator("#app-message")).to_have_text(re.compile(sent), timeout=40_000)
    assert len(api.reports_from_this_phone()) == 1
    done_today = translated(
        language, "You have checked in today. Next check-in due: %(when)s", when="{when}"
    ).split("{when}")[0]
    expect(home.locator("#check-in-next")).to_contain_text(done_today.strip())
    home.locator("#check-in-card").scroll_into_view_if_needed()
    docs_screenshot(page, language, "app-check-in-done.png")
