"""Reminders of visits through the inbox and the outbox: the day before and two hours before,
in the person's language (the reminder job, every few minutes).

A reminder is for a booking *at its current slot*: only bookings still confirmed are reminded,
and each reminder is recorded with the slot it was for (``booking_reminders``' key), so a
cancelled booking gets none and a moved booking gets the reminders of its new time only.
"""

from __future__ import annotations

from sqlalchemy import select, tuple_

from amina.adapters.db.booking.tables import BookingReminderRow, BookingRow, BookingSlotRow
from amina.adapters.db.uow import UnitOfWorkFactory
from amina.domain.booking import REMINDER_LEAD, BookingStatus, ReminderKind, reminder_due
from amina.domain.calendar import MOSCOW
from amina.services.booking.messages import BookingMessage
from amina.services.clock import Clock
from amina.services.delivery.inbox import PersonMessage, tell_many

KIND_MESSAGES = {
    ReminderKind.day_before: BookingMessage.reminder_day_before,
    ReminderKind.two_hours: BookingMessage.reminder_two_hours,
}
BATCH = 500


def send_due_reminders(uow_factory: UnitOfWorkFactory, clock: Clock) -> int:
    """Put every reminder due now in the inbox and outbox (once each). Returns how many."""
    now = clock.now()
    horizon = now + max(REMINDER_LEAD.values())
    sent = 0
    with uow_factory() as uow:
        rows = uow.session.execute(
            select(BookingRow.person_id, BookingRow.id, BookingRow.service, BookingSlotRow)
            .join(BookingSlotRow, BookingSlotRow.id == BookingRow.slot_id)
            .where(
                BookingRow.status == BookingStatus.confirmed.value,
                BookingSlotRow.starts_at > now,
                BookingSlotRow.starts_at <= horizon,
            )
            .order_by(BookingSlotRow.starts_at)
        ).all()
        keys = [(r.person_id, r.id, r.BookingSlotRow.id) for r in rows]
        done: set[tuple[str, str, str, str]] = set()
        for start in range(0, len(keys), BATCH):
            chunk = keys[start : start + BATCH]
            done.update(
                (r.person_id, r.booking_id, r.slot_id, r.kind)
                for r in uow.session.scalars(
                    select(BookingReminderRow).where(
                        tuple_(
                            BookingReminderRow.person_id,
                            BookingReminderRow.booking_id,
                            BookingReminderRow.slot_id,
                        ).in_(chunk)
                    )
                )
            )
        messages: list[PersonMessage] = []
        for row in rows:
            slot = row.BookingSlotRow
            kind = reminder_due(slot.starts_at, now)
            if kind is None or (row.person_id, row.id, slot.id, kind.value) in done:
                continue
            if kind is ReminderKind.two_hours:
                # a day-before reminder not sent yet is superseded: record it as done
                done.add((row.person_id, row.id, slot.id, ReminderKind.day_before.value))
            uow.session.add(
                BookingReminderRow(
                    person_id=row.person_id,
                    booking_id=row.id,
                    slot_id=slot.id,
                    kind=kind.value,
                    sent_at=now,
                )
            )
            local = slot.starts_at.astimezone(MOSCOW)
            messages.append(
                PersonMessage(
                    row.person_id,
                    KIND_MESSAGES[kind],
                    {
                        "service": row.service,
                        "day": local.date().isoformat(),
                        "time": local.strftime("%H:%M"),
                    },
                    subject_id=row.id,
                )
            )
        tell_many(uow, clock, messages)
        sent = len(messages)
        uow.commit()
    return sent
