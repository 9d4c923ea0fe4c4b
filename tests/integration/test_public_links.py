"""Every link that leaves the server starts with the public base URL (issue 13, point 2): the
QR codes of the registration slip, the ticket and the receipt, the link a web push notification
opens, the payment's return address. Without the setting, it is the address `amina serve` was
started on."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from booking_support import book, opened, slots
from fastapi.testclient import TestClient
from host_names import HostNames
from patent_support import checkout, record, start
from qr_support import RECEIPT_QR, SLIP_QR, TICKET_QR, qr_holds
from registration_support import person, registered
from staff_login import StaffLogin
from typer.testing import CliRunner

from amina.adapters.external.payments.sandbox import SandboxProvider
from amina.adapters.notify.receipts import receipts
from amina.adapters.web.app import create_app
from amina.bootstrap import Container, build
from amina.entrypoints.cli.main import app as cli
from amina.services.clock import FixedClock
from amina.services.delivery.outbox import deliver_due
from amina.services.patent.payments import payments_of
from amina.services.policy.versions import store_initial_policy
from amina.settings import Environment, Settings, load_settings

PUBLIC = "https://amina.example.ru"

SUBSCRIPTION = {
    "endpoint": "https://fcm.googleapis.com/fcm/send/abc123",
    "keys": {
        "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1Xbjh"
        "azAkj7I99e8QcYP7DkM",
        "auth": "tBHItJI5svbpez7KI4CCXg",
    },
}


@pytest.fixture
def container(database_url: str, clock: FixedClock, host_names: HostNames) -> Iterator[Container]:
    """The tests' container, with the public base URL set (a trailing slash is ignored)."""
    settings = Settings(
        env=Environment.test,
        database_url=database_url,
        scheduler=False,
        log_json=True,
        public_base_url=PUBLIC + "/",
    )
    built = build(settings, clock=clock, resolve_host=host_names)
    store_initial_policy(built.uow, clock)
    yield built
    built.engine.dispose()


def _pdf(client: TestClient, url: str, headers: dict[str, str]) -> bytes:
    answer = client.get(url, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    return answer.content


def test_the_slip_qr_and_the_hosts_link_open_verification_at_the_public_address(
    client: TestClient, container: Container, tmp_path: Path
) -> None:
    me = person(client, container)
    registration = registered(client, me)
    expected = f"{PUBLIC}/verify?code={registration['slip_code'].replace('-', '')}"

    # the app's hint for hosts is drawn from this link (static/app/registration.js)
    assert registration["verify_url"] == expected
    slip = _pdf(client, f"/api/v1/me/registrations/{registration['id']}/slip.pdf", me.bearer)
    assert qr_holds(slip, SLIP_QR, expected, tmp_path)


def test_the_tickets_qr_opens_the_check_in_at_the_public_address(
    client: TestClient, container: Container, tmp_path: Path
) -> None:
    opened(container)
    me = person(client, container)
    booked = book(client, me, "biometrics", slots(client, "biometrics", "2025-11-06")[0]["id"])
    assert booked.status_code == 201, booked.text
    visit = booked.json()
    expected = f"{PUBLIC}/console/booking/check-in?code={visit['code']}"

    assert visit["check_in_url"] == expected
    assert qr_holds(_pdf(client, visit["ticket_url"], me.bearer), TICKET_QR, expected, tmp_path)


def test_the_receipts_qr_and_the_payments_return_use_the_public_address(
    client: TestClient, container: Container, tmp_path: Path
) -> None:
    me = person(client, container)
    record(client, me)
    started = start(client, me, 1)
    assert started.status_code == 201, started.text
    sandbox = container.payments
    assert isinstance(sandbox, SandboxProvider)
    order = sandbox.order(started.json()["checkout_url"].rsplit("/", 1)[1])
    # where the provider sends the person back once they have paid
    assert order is not None
    assert order.return_url.startswith(f"{PUBLIC}/app/patent-return?payment=")

    done = checkout(client, started.json(), "pay")

    assert done.status_code == 303, done.text
    [payment] = client.get("/api/v1/me/patent/payments", headers=me.bearer).json()
    receipt = _pdf(client, payment["receipt_url"], me.bearer)
    with container.uow() as uow:
        [paid] = payments_of(uow, me.person_id)
    code = paid.verification_code
    assert qr_holds(receipt, RECEIPT_QR, f"{PUBLIC}/patent/check?code={code}", tmp_path)


def test_a_push_notification_opens_the_inbox_at_the_public_address(
    client: TestClient,
    container: Container,
    clock: FixedClock,
    sign_in_staff: Callable[[str], StaffLogin],
) -> None:
    opened(container)
    me = person(client, container)
    added = client.post("/api/v1/me/push-subscriptions", json=SUBSCRIPTION, headers=me.bearer)
    assert added.status_code == 201, added.text
    booked = book(client, me, "biometrics", slots(client, "biometrics", "2025-11-07")[0]["id"])
    assert booked.status_code == 201, booked.text
    supervisor = sign_in_staff("supervisor")
    closed = client.post(
        "/console/booking/close-day",
        data={"csrf_token": supervisor.csrf_token, "day": "2025-11-07", "reason": "Power works"},
        follow_redirects=False,
    )
    assert closed.status_code == 303

    deliver_due(container.uow, clock, container.delivery)

    [push] = receipts(container.engine, "push")
    assert push.payload["url"] == f"{PUBLIC}/app/inbox"


def test_without_the_setting_links_start_with_the_address_serve_was_started_on(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # `amina serve` hands its settings to the workers through the environment: the test's
    # environment is put back afterwards
    for name in ("DATABASE_URL", "AMINA_CLOCK", "AMINA_ENV", "AMINA_PUBLIC_BASE_URL"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    monkeypatch.setenv("AMINA_ENV", "test")
    monkeypatch.setenv("AMINA_DATA_DIR", str(tmp_path))
    started: dict[str, Any] = {}
    monkeypatch.setattr("uvicorn.run", lambda *_args, **options: started.update(options))

    result = CliRunner().invoke(
        cli,
        [
            "serve",
            "--database-url",
            database_url,
            "--host",
            "10.20.30.40",
            "--port",
            "8123",
            "--clock",
            "fixed:2025-11-05T10:00:00+03:00",
        ],
    )

    assert result.exit_code == 0, result.output
    assert (started["host"], started["port"]) == ("10.20.30.40", 8123)
    assert "http://10.20.30.40:8123" in result.output
    # a worker builds its container from the environment, as asgi.app_factory does
    worker = build(load_settings())
    try:
        with TestClient(create_app(worker), base_url="https://testserver") as client:
            me = person(client, worker)
            registration = registered(client, me)
        assert registration["verify_url"].startswith("http://10.20.30.40:8123/verify?code=")
    finally:
        worker.engine.dispose()


def test_the_base_url_of_an_ipv6_address_has_brackets() -> None:
    assert Settings(host="::1", port=8000).base_url == "http://[::1]:8000"
    assert (
        Settings(host="::1", public_base_url="https://a.example/").base_url == "https://a.example"
    )
