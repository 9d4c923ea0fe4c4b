"""Delivery of notices through the transactional outbox (issue 6 point 6), on SQLite and
PostgreSQL: inbox always, SMS and web push where available, retries with back-off, exactly
one message per channel even when the worker dies between sending and recording the send;
the sweep from the command line and from the scheduler."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest
from compliance_support import Phone, deliver, enrol, moscow_time, sweep_on, texts_to
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry
from typer.testing import CliRunner

from amina.adapters.notify.receipts import receipts
from amina.bootstrap import Container
from amina.entrypoints.cli.main import app as cli
from amina.entrypoints.jobs.schedule import recurring_jobs, scheduled_jobs
from amina.entrypoints.jobs.scheduler import LeaderLease, Scheduler
from amina.services.clock import FixedClock
from amina.services.delivery.channels import DeliveryChannels, DeliveryFailed
from amina.services.delivery.outbox import CLAIM_FOR, deliver_due

SUBSCRIPTION = {
    "endpoint": "https://fcm.googleapis.com/fcm/send/abc123",
    "keys": {
        "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1Xbjh"
        "azAkj7I99e8QcYP7DkM",
        "auth": "tBHItJI5svbpez7KI4CCXg",
    },
}


@pytest.fixture
def noticed(client: TestClient, container: Container, clock: FixedClock) -> Phone:
    """A person with web push on, silent since 30 Oct 2025 and noticed on 6 Nov."""
    phone = enrol(client, container, clock, "7725300001", date(2025, 10, 20))
    added = client.post("/api/v1/me/push-subscriptions", json=SUBSCRIPTION, headers=phone.bearer())
    assert added.status_code == 201, added.text
    phone.report_on(date(2025, 10, 30))
    assert sweep_on(container, clock, date(2025, 11, 6)).notices == 1
    return phone


class Crash(BaseException):
    """The worker process dies."""


class CrashAfterSending:
    """Wraps a channel: the message goes out, then the worker dies before recording it."""

    def __init__(self, channel: Any, method: str) -> None:
        self.channel = channel
        self.method = method

    @property
    def public_key(self) -> str | None:
        return None

    def __getattr__(self, name: str) -> Any:
        if name != self.method:
            raise AttributeError(name)

        def send(*args: Any) -> None:
            getattr(self.channel, self.method)(*args)
            raise Crash

        return send


class FlakySms:
    """An SMS gateway that fails ``failures`` times before it works."""

    def __init__(self, channel: Any, failures: int) -> None:
        self.channel = channel
        self.failures = failures

    def send(self, to: str, text: str, idempotency_key: str) -> None:
        if self.failures:
            self.failures -= 1
            raise DeliveryFailed("gateway timeout")
        self.channel.send(to, text, idempotency_key)


def notice_texts(client: TestClient, phone: Phone) -> list[str]:
    return [t for t in texts_to(client, phone.phone_number) if "November 11, 2025" in t]


def test_a_notice_reaches_the_inbox_sms_and_web_push(
    noticed: Phone, client: TestClient, container: Container, clock: FixedClock
) -> None:
    inbox = noticed.inbox()
    assert inbox[0]["kind"] == "notice"
    assert "November 11, 2025" in inbox[0]["text"]
    assert "object" in inbox[0]["text"]  # every notice says how to object
    assert notice_texts(client, noticed) == []  # nothing leaves before the worker runs
    report = deliver(container, clock)
    assert report.sent == 2
    assert len(notice_texts(client, noticed)) == 1
    [push] = receipts(container.engine, "push")
    assert push.recipient == SUBSCRIPTION["endpoint"]
    assert push.payload["title"] == "Confirm your address or report a change"
    assert "November 11, 2025" in push.payload["body"]


def test_a_worker_that_dies_between_sending_and_recording_still_delivers_once_per_channel(
    noticed: Phone, client: TestClient, container: Container, clock: FixedClock
) -> None:
    real = container.delivery
    crashing = DeliveryChannels(
        CrashAfterSending(real.sms, "send"), CrashAfterSending(real.push, "push"), real.registry
    )
    for _ in range(2):  # the SMS and the push notification, one per run
        with pytest.raises(Crash):
            deliver_due(container.uow, clock, crashing, limit=1)
    # both messages went out, neither was recorded: the next run must send them again
    clock.advance(CLAIM_FOR + timedelta(seconds=1))
    assert deliver(container, clock).sent == 2
    assert deliver(container, clock).sent == 0
    assert len(notice_texts(client, noticed)) == 1
    assert len(receipts(container.engine, "push")) == 1


def test_a_failing_gateway_is_retried_with_back_off(
    noticed: Phone, client: TestClient, container: Container, clock: FixedClock
) -> None:
    real = container.delivery
    flaky = DeliveryChannels(FlakySms(real.sms, failures=2), real.push, real.registry)
    first = deliver_due(container.uow, clock, flaky)
    assert (first.sent, first.failed) == (1, 1)  # push went, SMS failed
    assert deliver_due(container.uow, clock, flaky).handled == 0  # not due yet
    clock.advance(timedelta(seconds=31))
    assert deliver_due(container.uow, clock, flaky).failed == 1  # second failure
    clock.advance(timedelta(seconds=31))
    assert deliver_due(container.uow, clock, flaky).handled == 0  # now it waits 60 s
    clock.advance(timedelta(seconds=30))
    assert deliver_due(container.uow, clock, flaky).sent == 1
    assert len(notice_texts(client, noticed)) == 1


def test_a_person_without_push_gets_inbox_and_sms_only(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    phone = enrol(client, container, clock, "7725300002", date(2025, 10, 20))
    phone.report_on(date(2025, 10, 30))
    sweep_on(container, clock, date(2025, 11, 6))
    assert deliver(container, clock).sent == 1
    assert receipts(container.engine, "push") == []
    assert len(notice_texts(client, phone)) == 1


def test_the_inbox_marks_messages_read(noticed: Phone, client: TestClient) -> None:
    [message, *_] = noticed.inbox()
    assert message["read_at"] is None
    answer = client.post(f"/api/v1/me/inbox/{message['id']}/read", headers=noticed.bearer())
    assert answer.status_code == 204
    assert noticed.inbox()[0]["read_at"] is not None
    missing = client.post("/api/v1/me/inbox/nope/read", headers=noticed.bearer())
    assert missing.status_code == 404
    assert missing.json()["code"] == "message_not_found"


def test_the_export_holds_the_notices_and_the_inbox(noticed: Phone) -> None:
    export = noticed.get("/api/v1/me/export")
    assert [n["kind"] for n in export["notices"]] == ["no_data"]
    assert export["notices"][0]["facts"]["last_report_day"] == "2025-10-30"
    assert export["notices"][0]["policy_version"]
    assert {m["kind"] for m in export["inbox"]} == {"notice"}
    assert export["decisions"] == []


def test_amina_sweep_on_a_date_prints_the_counts_and_issues_nothing_twice(
    client: TestClient, container: Container, clock: FixedClock, database_url: str
) -> None:
    phone = enrol(client, container, clock, "7725300003", date(2025, 10, 20))
    phone.report_on(date(2025, 10, 30))
    clock.set(moscow_time(date(2025, 11, 6), 9))
    runner = CliRunner()
    args = ["sweep", "--on", "2025-11-06", "--database-url", database_url]
    first = runner.invoke(cli, args, env={"COLUMNS": "200"})
    assert first.exit_code == 0, first.output
    assert "notices no_data: 1" in first.output
    second = runner.invoke(cli, args, env={"COLUMNS": "200"})
    assert second.exit_code == 0, second.output
    assert "notices no_data" not in second.output
    assert len(phone.notices()) == 1
    day_off = runner.invoke(cli, ["sweep", "--on", "2025-11-04", "--database-url", database_url])
    assert "not a working day" in day_off.output
    # the local SMS gateway is development mode's, asked for like the tests' container does
    sent = runner.invoke(
        cli, ["outbox", "run", "--database-url", database_url], env={"AMINA_ENV": "test"}
    )
    assert sent.exit_code == 0, sent.output
    assert "1 sent" in sent.output
    assert len(notice_texts(client, phone)) == 1


def test_the_scheduler_runs_the_sweep_at_nine_on_working_days_and_delivers_the_outbox(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    phone = enrol(client, container, clock, "7725300004", date(2025, 10, 20))
    phone.report_on(date(2025, 10, 30))
    scheduler = Scheduler(
        container,
        scheduled_jobs(),
        registry=CollectorRegistry(),
        recurring=recurring_jobs(),
        lease=LeaderLease(container.engine, clock, holder="replica-a"),
    )
    clock.set(moscow_time(date(2025, 11, 6), 8, 59))
    assert "compliance-sweep" not in scheduler.tick()
    clock.set(moscow_time(date(2025, 11, 6), 9, 0))
    assert "compliance-sweep" in scheduler.tick()
    assert len(phone.notices()) == 1
    outbox = next(job for job in scheduler.recurring if job.name == "outbox")
    assert outbox.every <= timedelta(seconds=10)
    assert scheduler.run_recurring(outbox)
    assert len(notice_texts(client, phone)) == 1
    assert time(9, 0) == next(j.at for j in scheduler.jobs if j.name == "compliance-sweep")


def test_the_vapid_public_key_is_published_for_browsers(client: TestClient) -> None:
    answer = client.get("/api/v1/push/vapid-public-key")
    # tests use the local push sender, which has no key pair: push is "not available"
    assert answer.status_code == 503
    assert answer.json()["code"] == "push_unavailable"
