"""The outbox worker: every few seconds, every day, sends what the outbox holds (SMS, web
push, the registry) through the container's delivery channels (amina.services.delivery.outbox).
A sign-in code wakes it at once (``WORKER_WAKE``), so the code is on its way within
milliseconds of the commit, off the request's connection.

Also ``amina outbox run`` (amina/entrypoints/cli/compliance.py) for a run by hand.
"""

from __future__ import annotations

from datetime import timedelta

from amina.entrypoints.jobs.scheduler import JobContext, RecurringJob
from amina.services.delivery.outbox import WORKER_WAKE, deliver_due, pending_count

#: How often the worker looks for due messages, and how many it sends per round at most. With
#: several processes only the leader's worker runs: a code handed over in another process
#: waits for its next round, hence a short interval.
EVERY = timedelta(seconds=2)
BATCH = 200


def deliver_outbox(context: JobContext) -> str:
    container = context.container
    total = 0
    while True:
        report = deliver_due(container.uow, container.clock, container.delivery, limit=BATCH)
        total += report.sent
        context.metrics.gauge(
            "amina_outbox_sent_last_round", "Messages the outbox worker sent in its last round"
        ).set(report.sent)
        if report.handled < BATCH:
            break
    with container.uow() as uow:
        pending = pending_count(uow)
    context.metrics.gauge("amina_outbox_pending", "Outbox messages not yet sent").set(pending)
    return f"{total} sent; {pending} pending"


OUTBOX_JOB = RecurringJob("outbox", EVERY, deliver_outbox, wake=WORKER_WAKE)
