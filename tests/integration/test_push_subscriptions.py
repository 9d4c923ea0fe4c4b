"""The server sends web push only to the known push services, checked when a browser
subscribes and again when sending; a person has a bounded number of subscriptions (issue 10
point 5). On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from compliance_support import Phone, deliver, enrol, sweep_on
from fastapi.testclient import TestClient
from host_names import HostNames

from amina.adapters.notify.receipts import receipts
from amina.bootstrap import Container
from amina.services.clock import FixedClock

KEYS = {
    "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1Xbjh"
    "azAkj7I99e8QcYP7DkM",
    "auth": "tBHItJI5svbpez7KI4CCXg",
}


def subscribe(client: TestClient, phone: Phone, endpoint: str, **headers: str) -> Any:
    return client.post(
        "/api/v1/me/push-subscriptions",
        json={"endpoint": endpoint, "keys": KEYS},
        headers={**phone.bearer(), **headers},
    )


def test_a_subscription_to_an_address_inside_the_network_is_refused_in_the_persons_language(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    phone = enrol(client, container, clock, "7725300101", date(2025, 10, 20), language="ru")
    for endpoint in (
        "https://127.0.0.1:9443/push/abc",
        "https://intranet.example.org/push/abc",
        "https://169.254.169.254/latest/meta-data",
    ):
        answer = subscribe(client, phone, endpoint)
        assert answer.status_code == 422, endpoint
        problem = answer.json()
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert problem["code"] == "push_endpoint_refused"
        assert problem["title"] == "Уведомления этого браузера не поддерживаются"
        assert problem["errors"][0]["field"] == "endpoint"


def test_a_push_service_name_that_resolves_to_loopback_is_refused(
    client: TestClient, container: Container, clock: FixedClock, host_names: HostNames
) -> None:
    phone = enrol(client, container, clock, "7725300102", date(2025, 10, 20))
    host_names.addresses["fcm.googleapis.com"] = ["127.0.0.1"]
    answer = subscribe(client, phone, "https://fcm.googleapis.com/fcm/send/abc")
    assert answer.status_code == 422
    assert answer.json()["code"] == "push_endpoint_refused"


def test_nothing_is_sent_to_a_push_service_that_has_moved_inside_the_network_since(
    client: TestClient, container: Container, clock: FixedClock, host_names: HostNames
) -> None:
    phone = enrol(client, container, clock, "7725300103", date(2025, 10, 20))
    assert subscribe(client, phone, "https://fcm.googleapis.com/fcm/send/abc").status_code == 201
    phone.report_on(date(2025, 10, 30))
    assert sweep_on(container, clock, date(2025, 11, 6)).notices == 1
    host_names.addresses["fcm.googleapis.com"] = ["10.0.0.7"]  # DNS now points inside
    report = deliver(container, clock)
    assert report.sent == 1  # the SMS
    assert report.gave_up == 1  # the push, never contacted
    assert receipts(container.engine, "push") == []
    assert phone.inbox()[0]["kind"] == "notice"  # the inbox still has it


def test_a_person_keeps_a_bounded_number_of_browsers_the_newest_win(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    limit = container.settings.push_subscriptions_per_person
    phone = enrol(client, container, clock, "7725300104", date(2025, 10, 20))
    for n in range(limit + 3):
        clock.advance(timedelta(minutes=1))
        answer = subscribe(client, phone, f"https://fcm.googleapis.com/fcm/send/browser-{n}")
        assert answer.status_code == 201
    phone.report_on(date(2025, 10, 30))
    assert sweep_on(container, clock, date(2025, 11, 6)).notices == 1
    deliver(container, clock)
    pushed = sorted(r.recipient for r in receipts(container.engine, "push"))
    assert len(pushed) == limit
    assert "https://fcm.googleapis.com/fcm/send/browser-0" not in pushed
    assert f"https://fcm.googleapis.com/fcm/send/browser-{limit + 2}" in pushed
