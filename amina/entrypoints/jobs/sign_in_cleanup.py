"""Daily job: delete sign-in leftovers — old one-time-code challenges, idle lock-out counters,
long-ended access tokens, staff sign-in failures older than a day (data minimisation;
docs/sign-in.md). Counts only in the summary."""

from __future__ import annotations

from amina.entrypoints.jobs.scheduler import JobContext
from amina.services.identity.sign_in import purge_sign_in_leftovers
from amina.services.staff.accounts import purge_staff_sign_in_failures


def sign_in_cleanup(context: JobContext) -> str:
    gone = purge_sign_in_leftovers(context.container.uow, context.container.clock)
    staff_failures = purge_staff_sign_in_failures(context.container.uow, context.container.clock)
    return (
        f"{gone.challenges} challenge(s), {gone.throttles} counter(s), "
        f"{gone.access_tokens} access token(s), {staff_failures} staff failure(s) deleted"
    )
