"""The evening check-in (issue 13, point 7): a person with a push subscription and no report
received today (Moscow day) gets ONE push "tap to confirm you are here" at their chosen time
(20:00 Moscow time unless they chose another), in their language, through the outbox; before
the time nothing, after a report nothing, a second run nothing more. On SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date

from compliance_support import Phone, deliver, enrol, moscow_time
from fastapi.testclient import TestClient

from amina.adapters.notify.receipts import receipts
from amina.bootstrap import Container
from amina.services.check_in.reminders import send_check_in_reminders
from amina.services.clock import FixedClock

KEYS = {
    "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1Xbjh"
    "azAkj7I99e8QcYP7DkM",
    "auth": "tBHItJI5svbpez7KI4CCXg",
}
#: A Wednesday; the person last reported the day before.
DAY = date(2025, 11, 5)
UZBEK_BODY = (
    "Shu yerdaligingizni tasdiqlash uchun bosing. Ilova joylashuvingizni bir marta yuboradi."
)


def subscribed(client: TestClient, container: Container, clock: FixedClock, number: str) -> Phone:
    phone = enrol(client, container, clock, number, date(2025, 10, 20), language="uz")
    answer = client.post(
        "/api/v1/me/push-subscriptions",
        json={"endpoint": f"https://fcm.googleapis.com/fcm/send/{number}", "keys": KEYS},
        headers=phone.bearer(),
    )
    assert answer.status_code == 201, answer.text
    phone.report_on(date(2025, 11, 4))
    return phone


def remind_at(container: Container, clock: FixedClock, hour: int, minute: int = 0) -> int:
    clock.set(moscow_time(DAY, hour, minute))
    return send_check_in_reminders(container.uow, clock)


def pushes(container: Container, clock: FixedClock) -> list[dict[str, object]]:
    deliver(container, clock)
    return [receipt.payload for receipt in receipts(container.engine, "push")]


def test_one_push_at_eight_in_the_evening_in_the_persons_language_and_never_twice(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    subscribed(client, container, clock, "7725300201")

    assert remind_at(container, clock, 19, 59) == 0
    assert pushes(container, clock) == []

    assert remind_at(container, clock, 20, 0) == 1
    sent = pushes(container, clock)
    assert len(sent) == 1
    push = sent[0]
    assert push["body"] == UZBEK_BODY
    assert push["title"] == "Amina: kechki belgilanish"
    assert push["url"] == container.settings.base_url + "/app/check-in"
    # Nothing about the person: a title, one sentence, the link and the tag.
    assert set(push) == {"title", "body", "url", "tag"}

    assert remind_at(container, clock, 20, 5) == 0
    assert remind_at(container, clock, 23, 55) == 0
    assert len(pushes(container, clock)) == 1


def test_a_report_received_today_means_no_push(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    phone = subscribed(client, container, clock, "7725300202")
    phone.report_on(DAY, hour=8)

    assert remind_at(container, clock, 20, 30) == 0
    assert pushes(container, clock) == []


def test_the_person_chooses_the_time_or_turns_the_reminder_off(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    phone = subscribed(client, container, clock, "7725300203")
    chosen = client.put(
        "/api/v1/me/check-in", json={"enabled": True, "time": "18:30"}, headers=phone.bearer()
    )
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["time"] == "18:30"

    assert remind_at(container, clock, 18, 29) == 0
    assert remind_at(container, clock, 18, 30) == 1

    off = client.put(
        "/api/v1/me/check-in", json={"enabled": False, "time": "18:30"}, headers=phone.bearer()
    )
    assert off.status_code == 200
    clock.set(moscow_time(date(2025, 11, 6), 21))
    assert send_check_in_reminders(container.uow, clock) == 0


def test_without_a_push_subscription_nobody_is_reminded(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    phone = enrol(client, container, clock, "7725300204", date(2025, 10, 20))
    phone.report_on(date(2025, 11, 4))

    assert remind_at(container, clock, 21) == 0


def test_the_home_screen_learns_the_last_report_and_the_next_check_in(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    phone = subscribed(client, container, clock, "7725300205")
    clock.set(moscow_time(DAY, 10))
    before = phone.get("/api/v1/me/check-in")
    assert before["enabled"] is True
    assert before["time"] == "20:00"
    assert before["push_subscribed"] is True
    assert before["checked_in_today"] is False
    assert before["next_check_in_at"] == "2025-11-05T17:00:00Z"  # 20:00 in Moscow
    assert before["last_received_at"].startswith("2025-11-04")

    phone.report_on(DAY, hour=11)
    after = phone.get("/api/v1/me/check-in")
    assert after["checked_in_today"] is True
    assert after["next_check_in_at"][:10] == "2025-11-06"


def test_a_time_outside_the_day_is_refused(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    phone = enrol(client, container, clock, "7725300206", date(2025, 10, 20))
    answer = client.put(
        "/api/v1/me/check-in", json={"enabled": True, "time": "24:30"}, headers=phone.bearer()
    )
    assert answer.status_code == 422


def test_a_local_push_endpoint_is_refused_unless_a_test_setting_names_it(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    phone = enrol(client, container, clock, "7725300207", date(2025, 10, 20))
    answer = client.post(
        "/api/v1/me/push-subscriptions",
        json={"endpoint": "http://127.0.0.1:8765/push/abc", "keys": KEYS},
        headers=phone.bearer(),
    )
    assert answer.status_code == 422
    assert answer.json()["code"] == "push_endpoint_refused"
