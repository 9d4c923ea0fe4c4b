"""Reminders that save the patent (issue 11, point 6): 10, 3 and 1 days before the paid
period ends and on the last day, in the person's language, once each; never after the patent
has ended, except the one plain message that it has ended."""

from __future__ import annotations

from datetime import date, datetime

from fastapi.testclient import TestClient
from patent_support import record
from registration_support import person
from sqlalchemy import select

from amina.adapters.db.delivery.tables import InboxMessageRow, OutboxRow
from amina.bootstrap import Container
from amina.domain.calendar import MOSCOW
from amina.i18n import Translator
from amina.services.clock import FixedClock
from amina.services.delivery.inbox import inbox_of
from amina.services.patent.reminders import send_patent_reminders


def _on(clock: FixedClock, day: date) -> None:
    clock.set(datetime(day.year, day.month, day.day, 9, 0, tzinfo=MOSCOW))


def _kinds(container: Container, person_id: str) -> list[str]:
    with container.uow() as uow:
        return list(
            uow.session.scalars(
                select(InboxMessageRow.kind)
                .where(InboxMessageRow.person_id == person_id)
                .order_by(InboxMessageRow.created_at)
            )
        )


def test_reminders_come_10_3_1_days_before_and_on_the_last_day_then_once_that_it_ended(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    me = person(client, container, language="tg")
    record(client, me)  # paid until 19 November 2025
    sent_on: list[tuple[date, int, int]] = []
    for day in range(5, 31):
        _on(clock, date(2025, 11, day))
        done = send_patent_reminders(container.uow, clock)
        send_patent_reminders(container.uow, clock)  # a second run sends nothing more
        if done.reminders or done.lapsed:
            sent_on.append((date(2025, 11, day), done.reminders, done.lapsed))

    assert sent_on == [
        (date(2025, 11, 9), 1, 0),
        (date(2025, 11, 16), 1, 0),
        (date(2025, 11, 18), 1, 0),
        (date(2025, 11, 19), 1, 0),
        (date(2025, 11, 20), 0, 1),
    ]
    assert _kinds(container, me.person_id) == [
        "patent_reminder",
        "patent_reminder",
        "patent_reminder",
        "patent_last_day",
        "patent_lapsed",
    ]


def test_a_reminder_is_in_the_persons_language_with_the_amount_and_goes_by_sms_too(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    me = person(client, container, language="uz")
    record(client, me)
    _on(clock, date(2025, 11, 16))
    send_patent_reminders(container.uow, clock)
    with container.uow() as uow:
        [message] = inbox_of(uow, me.person_id, Translator("uz"))
        channels = list(
            uow.session.scalars(
                select(OutboxRow.channel).where(OutboxRow.person_id == me.person_id)
            )
        )
    assert message.title == "Patentingizni oʻz vaqtida toʻlang"
    assert "8 900 rubl" in message.text
    assert "noyabr" in message.text  # the date, in Uzbek
    assert channels == ["sms"]


def test_the_ended_patent_message_says_what_it_means_and_what_to_do(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    me = person(client, container, language="en")
    record(client, me)
    _on(clock, date(2025, 11, 20))
    send_patent_reminders(container.uow, clock)
    with container.uow() as uow:
        [message] = inbox_of(uow, me.person_id, Translator("en"))
    assert message.title == "Your patent has ended"
    assert "apply for a new patent" in message.text
    assert "takes no action against you" in message.text


def test_the_scheduler_runs_the_reminders_daily_and_reconciles_pending_payments_often() -> None:
    from amina.entrypoints.jobs.schedule import recurring_jobs, scheduled_jobs

    reminders = next(job for job in scheduled_jobs() if job.name == "patent-reminders")
    assert not reminders.working_days_only  # the law moves no payment day for weekends
    reconciliation = next(job for job in recurring_jobs() if job.name == "patent-reconciliation")
    assert reconciliation.every.total_seconds() <= 600
