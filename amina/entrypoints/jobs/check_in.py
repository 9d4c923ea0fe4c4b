"""The evening check-in job (issue 13, point 7): every five minutes, the push "tap to confirm
you are here" for everyone whose chosen time (20:00 Moscow by default) has come today with no
report received (amina.services.check_in.reminders); the outbox worker sends it. Also
`amina check-in remind` by hand. The summary carries a count only.
"""

from __future__ import annotations

from datetime import timedelta

from amina.entrypoints.jobs.scheduler import JobContext, RecurringJob
from amina.services.check_in.reminders import send_check_in_reminders

#: How often the job looks: a push comes at most this long after the chosen time.
EVERY = timedelta(minutes=5)


def remind_to_check_in(context: JobContext) -> str:
    sent = send_check_in_reminders(context.container.uow, context.container.clock)
    return f"{sent} check-in reminder(s) queued"


CHECK_IN_JOB = RecurringJob("check-in-reminders", EVERY, remind_to_check_in)
