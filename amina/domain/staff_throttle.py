"""How fast staff sign-in attempts may follow failed ones (SPEC §10).

No account is ever locked: a hard lock-out lets anyone lock any staff member out with a few
wrong passwords. Instead failures slow the next attempt down, with delays that double with
every further failure, counted two ways within :attr:`ThrottleRules.window`:

- **by source address** — after ``free_failures`` failures from one address, each further
  attempt from it waits 1 s, 2 s, 4 s … up to ``source_max_delay`` (a guesser at one address
  soon gets a handful of tries an hour);
- **by account** (the username tried, whether it exists or not, so the answer tells nothing)
  — after ``account_free_failures`` failures from anywhere, the same doubling but capped at
  ``account_max_delay``, short on purpose: the real staff member gets in after a short wait
  even while someone keeps trying the account from many addresses.

Counting failures is cheap; the password hash is only computed when neither limit says wait.
The account's count restarts at its owner's successful sign-in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottleRules:
    free_failures: int = 5
    account_free_failures: int = 10
    source_max_delay: timedelta = timedelta(minutes=15)
    account_max_delay: timedelta = timedelta(seconds=60)
    window: timedelta = timedelta(hours=1)


def delay_after(failures: int, free: int, longest: timedelta) -> timedelta:
    """The wait after ``failures`` failures, when the first ``free`` cost nothing."""
    if failures < free:
        return timedelta(0)
    doublings = min(failures - free, 30)
    return min(timedelta(seconds=2**doublings), longest)


def wait_before_next(
    failures: int, last_failure: datetime | None, now: datetime, free: int, longest: timedelta
) -> timedelta:
    """How long from ``now`` until the next attempt may be checked (zero: it may, now)."""
    if last_failure is None:
        return timedelta(0)
    ready = last_failure + delay_after(failures, free, longest)
    return max(ready - now, timedelta(0))
