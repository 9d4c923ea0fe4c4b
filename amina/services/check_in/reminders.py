"""The evening check-in: the person's choice (on or off, the time), what the home screen says,
and the job that sends the push.

The push goes through the outbox like every message, to the person's newest active push
subscription, with the key ``check-in:YYYY-MM-DD`` (one outbox row a person and Moscow day:
a second run finds it and sends nothing more). It carries a title, one sentence and the link
that opens the app — nothing about the person (purpose limitation, SPEC §10). No inbox message
and no SMS: it is a nudge, not a notice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import and_, exists, or_, select

from amina.adapters.db.check_in.tables import CheckInReminderRow
from amina.adapters.db.delivery.tables import OutboxRow, PushSubscriptionRow
from amina.adapters.db.identity.tables import PersonRow
from amina.adapters.db.registration.tables import RegistrationRow
from amina.adapters.db.reports.tables import PersonLastReportRow
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.domain.calendar import moscow_date
from amina.domain.check_in import (
    DEFAULT_REMINDER_TIME,
    NextCheckIn,
    day_start,
    minute_of_day,
    next_check_in,
    reminder_due,
    time_of,
)
from amina.domain.delivery import Channel
from amina.domain.registration import RegistrationStatus, holds_the_place
from amina.i18n import Translator
from amina.services.check_in.messages import CHECK_IN_URL, PUSH_BODY, PUSH_TAG, PUSH_TITLE
from amina.services.clock import Clock
from amina.services.delivery.inbox import enqueue

#: The statuses in which a registration holds the place (the rule is the domain's).
HOLDING = tuple(s.value for s in RegistrationStatus if holds_the_place(s))


@dataclass(frozen=True)
class ReminderChoice:
    enabled: bool
    at: time
    #: False while the person has not chosen (the default holds).
    chosen: bool


@dataclass(frozen=True)
class CheckInView:
    """What the app shows about the check-in (the person themself)."""

    choice: ReminderChoice
    #: Pushes can reach the person: at least one active subscription.
    push_subscribed: bool
    #: A registration holds the place: only then is there anything to check in for.
    reporting_expected: bool
    #: The time the latest report counts at (None before the first).
    last_report_at: datetime | None
    #: When the latest report arrived at the server.
    last_received_at: datetime | None
    next: NextCheckIn


def reminder_key(day: object) -> str:
    """The outbox key of a person's check-in push on a Moscow day."""
    return f"check-in:{day}"


def _choice(row: CheckInReminderRow | None) -> ReminderChoice:
    if row is None:
        return ReminderChoice(True, DEFAULT_REMINDER_TIME, chosen=False)
    return ReminderChoice(row.enabled, time_of(row.minute_of_day), chosen=True)


def _holds_place(uow: UnitOfWork, person_id: str) -> bool:
    return bool(
        uow.session.scalar(
            select(
                exists().where(
                    RegistrationRow.person_id == person_id, RegistrationRow.status.in_(HOLDING)
                )
            )
        )
    )


def check_in_of(uow_factory: UnitOfWorkFactory, clock: Clock, person_id: str) -> CheckInView:
    """The person's reminder choice, their latest report and the next check-in (the person
    themself, ``GET /api/v1/me/check-in``)."""
    now = clock.now()
    with uow_factory() as uow:
        choice = _choice(uow.session.get(CheckInReminderRow, person_id))
        subscribed = bool(
            uow.session.scalar(
                select(
                    exists().where(
                        PushSubscriptionRow.person_id == person_id,
                        PushSubscriptionRow.revoked_at.is_(None),
                    )
                )
            )
        )
        expected = _holds_place(uow, person_id)
        last = uow.session.get(PersonLastReportRow, person_id)
        last_at = None if last is None else last.device_time
        received_at = None if last is None else last.received_at
    return CheckInView(
        choice=choice,
        push_subscribed=subscribed,
        reporting_expected=expected,
        last_report_at=last_at,
        last_received_at=received_at,
        next=next_check_in(now, choice.at, last_at),
    )


def choose_reminder(
    uow_factory: UnitOfWorkFactory, clock: Clock, person_id: str, *, enabled: bool, at: time
) -> ReminderChoice:
    """Save the person's choice: the evening push on or off, and its time (Moscow). The person
    themself (the offer after signing in, the reminder settings)."""
    with uow_factory() as uow:
        row = uow.session.get(CheckInReminderRow, person_id)
        if row is None:
            row = CheckInReminderRow(person_id=person_id)
            uow.session.add(row)
        row.enabled = enabled
        row.minute_of_day = minute_of_day(at)
        row.updated_at = clock.now()
        choice = _choice(row)
        uow.commit()
    return choice


@dataclass(frozen=True)
class _Candidate:
    person_id: str
    language: str
    enabled: bool | None
    minute: int | None
    last_report_at: datetime | None


def _candidates(uow: UnitOfWork, now: datetime) -> Sequence[_Candidate]:
    """People with an active subscription and a registration holding the place, not yet sent
    today's push and with no report counted today — the SQL narrows; the domain's
    ``reminder_due`` decides each."""
    today = moscow_date(now)
    subscribed = exists().where(
        PushSubscriptionRow.person_id == PersonRow.id, PushSubscriptionRow.revoked_at.is_(None)
    )
    holding = exists().where(
        RegistrationRow.person_id == PersonRow.id, RegistrationRow.status.in_(HOLDING)
    )
    sent_today = exists().where(
        OutboxRow.person_id == PersonRow.id, OutboxRow.idempotency_key == reminder_key(today)
    )
    rows = uow.session.execute(
        select(
            PersonRow.id,
            PersonRow.language,
            CheckInReminderRow.enabled,
            CheckInReminderRow.minute_of_day,
            PersonLastReportRow.device_time,
        )
        .outerjoin(CheckInReminderRow, CheckInReminderRow.person_id == PersonRow.id)
        .outerjoin(PersonLastReportRow, PersonLastReportRow.person_id == PersonRow.id)
        .where(
            subscribed,
            holding,
            ~sent_today,
            or_(CheckInReminderRow.enabled.is_(None), CheckInReminderRow.enabled.is_(True)),
            or_(
                PersonLastReportRow.device_time.is_(None),
                PersonLastReportRow.device_time < day_start(today),
            ),
        )
        .order_by(PersonRow.id)
    ).all()
    return [_Candidate(*row) for row in rows]


def _newest_subscriptions(uow: UnitOfWork, person_ids: Sequence[str]) -> dict[str, str]:
    newest: dict[str, str] = {}
    for start in range(0, len(person_ids), 1000):
        rows = uow.session.execute(
            select(PushSubscriptionRow.person_id, PushSubscriptionRow.id)
            .where(
                and_(
                    PushSubscriptionRow.person_id.in_(person_ids[start : start + 1000]),
                    PushSubscriptionRow.revoked_at.is_(None),
                )
            )
            .order_by(PushSubscriptionRow.created_at, PushSubscriptionRow.id)
        )
        newest.update({row.person_id: row.id for row in rows})  # the last one wins
    return newest


def send_check_in_reminders(uow_factory: UnitOfWorkFactory, clock: Clock) -> int:
    """Put today's evening push in the outbox for everyone it is due for (the check-in job,
    every few minutes); returns how many. Idempotent per person and Moscow day."""
    now = clock.now()
    today = moscow_date(now)
    with uow_factory() as uow:
        due = [
            c
            for c in _candidates(uow, now)
            if reminder_due(
                now,
                DEFAULT_REMINDER_TIME if c.minute is None else time_of(c.minute),
                c.last_report_at,
                reminded_today=False,  # the SQL left out whoever was sent today's
            )
        ]
        subscriptions = _newest_subscriptions(uow, [c.person_id for c in due])
        translators: dict[str, Translator] = {}
        sent = 0
        for candidate in due:
            subscription_id = subscriptions.get(candidate.person_id)
            if subscription_id is None:
                continue
            t = translators.setdefault(candidate.language, Translator(candidate.language))
            enqueue(
                uow,
                clock,
                candidate.person_id,
                Channel.push,
                reminder_key(today),
                {
                    "subscription_id": subscription_id,
                    "title": t.gettext(PUSH_TITLE),
                    "body": t.gettext(PUSH_BODY),
                    "url": CHECK_IN_URL,
                    "tag": PUSH_TAG,
                },
            )
            sent += 1
        uow.commit()
    return sent
