"""The booking jobs (issue 12):

- ``booking-slots`` (daily, 02:30 Moscow, every day): open the slots of the next two weeks from
  the templates, on working days only (idempotent);
- ``booking-holds`` (every minute): release holds not confirmed in time, freeing their seats;
- ``booking-reminders`` (every five minutes): reminders the day before and two hours before,
  through the inbox and the outbox.

Summaries carry counts only.
"""

from __future__ import annotations

from datetime import time, timedelta

from amina.entrypoints.jobs.scheduler import Job, JobContext, RecurringJob
from amina.services.booking.bookings import release_expired_holds
from amina.services.booking.reminders import send_due_reminders
from amina.services.booking.slots import open_slots_ahead


def open_booking_slots(context: JobContext) -> str:
    created = open_slots_ahead(context.container.uow, context.container.clock)
    return f"{created} slot(s) opened"


def release_holds(context: JobContext) -> str:
    released = release_expired_holds(context.container.uow, context.container.clock)
    return f"{released} hold(s) released"


def remind(context: JobContext) -> str:
    sent = send_due_reminders(context.container.uow, context.container.clock)
    return f"{sent} reminder(s) queued"


SLOTS_JOB = Job("booking-slots", time(2, 30), open_booking_slots, working_days_only=False)
HOLDS_JOB = RecurringJob("booking-holds", timedelta(minutes=1), release_holds)
REMINDERS_JOB = RecurringJob("booking-reminders", timedelta(minutes=5), remind)
