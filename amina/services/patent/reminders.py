"""Reminders that save the patent (issue 11, point 6): 10, 3 and 1 calendar days before the
paid period ends and on the last day, in the person's language, through the inbox (always) and
push and SMS (where available); once, when the patent has ended, a plain message of what that
means and what to do. Never a reminder after the patent has ended; no sanction is automated.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from amina.adapters.db.patent.tables import PatentReminderRow, PatentRow
from amina.adapters.db.uow import UnitOfWorkFactory
from amina.domain.calendar import moscow_date
from amina.domain.patent import PatentState, reminder_due
from amina.services.clock import Clock
from amina.services.delivery.inbox import tell
from amina.services.patent import messages
from amina.services.patent.patents import next_monthly_amount, view_of

#: ``days_before`` of the one message that says the patent has ended.
LAPSED = -1
LAPSED_TOLD_WITHIN_DAYS = 7


@dataclass(frozen=True)
class RemindersSent:
    reminders: int
    lapsed: int


def send_patent_reminders(uow_factory: UnitOfWorkFactory, clock: Clock) -> RemindersSent:
    """Send today's reminders (the system's daily job; safe to run twice: one row per patent,
    paid period end and kind)."""
    today = moscow_date(clock.now())
    with uow_factory() as uow:
        keys = [
            (row.person_id, row.id)
            for row in uow.session.scalars(select(PatentRow).where(PatentRow.issued_on <= today))
        ]
    reminders = lapsed = 0
    for person_id, patent_id in keys:
        with uow_factory() as uow:
            row = uow.session.get(PatentRow, (person_id, patent_id))
            if row is None:
                continue
            newer = uow.session.scalar(
                select(PatentRow.id)
                .where(PatentRow.person_id == person_id, PatentRow.issued_on > row.issued_on)
                .limit(1)
            )
            if newer is not None:  # only the person's latest patent speaks
                continue
            patent = view_of(uow, row, today)
            left = reminder_due(patent.validity, today)
            # told once, on the first run after the last paid day (within a week of it)
            just_ended = (
                patent.state is PatentState.lapsed
                and 1 <= (today - patent.validity.paid_until).days <= LAPSED_TOLD_WITHIN_DAYS
            )
            if left is None and not just_ended:
                continue
            days_before = LAPSED if left is None else left
            uow.session.add(
                PatentReminderRow(
                    person_id=person_id,
                    patent_id=patent_id,
                    paid_until=patent.validity.paid_until,
                    days_before=days_before,
                    sent_at=clock.now(),
                )
            )
            try:
                uow.session.flush()
            except IntegrityError:
                continue  # already sent
            paid_until = patent.validity.paid_until.isoformat()
            if days_before == LAPSED:
                tell(uow, clock, person_id, messages.PATENT_LAPSED, {"paid_until": paid_until})
                lapsed += 1
            else:
                amount = next_monthly_amount(uow, patent)
                kind = messages.PATENT_LAST_DAY if days_before == 0 else messages.PATENT_REMINDER
                tell(
                    uow,
                    clock,
                    person_id,
                    kind,
                    {
                        "paid_until": paid_until,
                        "pay_by": paid_until,
                        "amount": "" if amount is None else f"{amount:,}".replace(",", " "),
                        "days": days_before,
                    },
                )
                reminders += 1
            uow.commit()
    return RemindersSent(reminders, lapsed)
