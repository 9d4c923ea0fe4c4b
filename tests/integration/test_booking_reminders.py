"""Reminders of visits (issue 12, point 6): the day before and two hours before, in the
person's language, once each; a cancelled visit gets none, a moved one only for its new time;
closing a day tells the people booked on it."""

from __future__ import annotations

from datetime import timedelta

from booking_support import book, opened, slots
from fastapi.testclient import TestClient
from registration_support import person
from sign_in_support import Session

from amina.bootstrap import Container
from amina.i18n import Translator
from amina.services.booking.bookings import cancel
from amina.services.booking.reminders import send_due_reminders
from amina.services.clock import FixedClock
from amina.services.delivery.inbox import InboxItem, inbox_of


def _inbox(container: Container, session: Session, language: str) -> list[InboxItem]:
    """What the person's inbox shows (read as the app would, in their language; the access
    token itself would have expired by the next day)."""
    with container.uow() as uow:
        return inbox_of(uow, session.person_id, Translator(language))


def test_a_visit_is_reminded_the_day_before_and_two_hours_before_once_each(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    opened(container)
    me = person(client, container, language="ky")
    ten = next(s for s in slots(client, "biometrics", "2025-11-06") if s["time"] == "10:15")
    assert book(client, me, "biometrics", ten["id"]).status_code == 201

    assert send_due_reminders(container.uow, clock) == 0  # more than a day ahead: not yet
    clock.advance(timedelta(minutes=15))
    assert send_due_reminders(container.uow, clock) == 1
    assert send_due_reminders(container.uow, clock) == 0
    clock.advance(timedelta(hours=22))
    assert send_due_reminders(container.uow, clock) == 1

    titles = [m.title for m in _inbox(container, me, "ky")]
    assert len(titles) == 2
    assert all("миграция" in title.lower() for title in titles), titles


def test_a_cancelled_visit_gets_no_reminder_and_a_moved_one_only_for_its_new_time(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    opened(container)
    me = person(client, container)
    day = slots(client, "biometrics", "2025-11-06")
    ten = next(s for s in day if s["time"] == "10:00")
    later = next(s for s in day if s["time"] == "16:00")
    visit = book(client, me, "biometrics", ten["id"]).json()
    moved = client.post(
        f"/api/v1/me/bookings/{visit['id']}/reschedule",
        json={"slot_id": later["id"]},
        headers=me.bearer,
    )
    assert moved.status_code == 200

    clock.advance(timedelta(hours=22, minutes=30))  # 08:30 on the 6th: two hours before 10:00
    assert send_due_reminders(container.uow, clock) == 1  # the day-before one for 16:00
    sent = _inbox(container, me, "ru")
    assert "16:00" in sent[0].text

    with container.uow() as uow:  # the phone's token has expired by now: the use case itself
        cancel(uow, clock, me.person_id, visit["id"])
        uow.commit()
    clock.advance(timedelta(hours=5, minutes=30))  # 14:00: two hours before 16:00
    assert send_due_reminders(container.uow, clock) == 0
