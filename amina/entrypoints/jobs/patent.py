"""The patent's jobs (issue 11): the daily reminders that save the patent, and the
reconciliation of payment intents stuck in "pending" (a lost callback, an abandoned checkout).
"""

from __future__ import annotations

from datetime import time, timedelta

from amina.entrypoints.jobs.scheduler import Job, JobContext, RecurringJob
from amina.services.patent.payments import reconcile_pending
from amina.services.patent.reminders import send_patent_reminders

#: How often pending intents are checked with the provider.
RECONCILE_EVERY = timedelta(minutes=5)


def patent_reminders(context: JobContext) -> str:
    container = context.container
    sent = send_patent_reminders(container.uow, container.clock)
    return f"{sent.reminders} reminder(s), {sent.lapsed} patent(s) ended"


def patent_reconciliation(context: JobContext) -> str:
    container = context.container
    done = reconcile_pending(container.uow, container.clock, container.payments)
    context.metrics.gauge(
        "amina_patent_payments_reconciled_last_round",
        "Pending patent payments settled by the last reconciliation round",
    ).set(done.applied)
    return f"{done.checked} pending checked, {done.applied} settled"


#: At 09:00 Moscow time every day, weekends too: the law moves no payment day.
REMINDER_JOB = Job("patent-reminders", time(9, 0), patent_reminders, working_days_only=False)
RECONCILIATION_JOB = RecurringJob("patent-reconciliation", RECONCILE_EVERY, patent_reconciliation)
