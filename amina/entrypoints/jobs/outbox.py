"""The outbox worker: every few seconds, every day, sends what the outbox holds (SMS, web
push, the registry) through the container's delivery channels (amina.services.delivery.outbox).

Also ``amina outbox run`` (amina/entrypoints/cli/compliance.py) for a run by hand.
"""

from __future__ import annotations

from datetime import timedelta

from amina.entrypoints.jobs.scheduler import JobContext, RecurringJob
from amina.services.delivery.outbox import deliver_due, pending_count

#: How often the worker looks for due messages, and how many it sends per round at most.
EVERY = timedelta(seconds=5)
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


OUTBOX_JOB = RecurringJob("outbox", EVERY, deliver_outbox)
