"""Sign-in rules: one-time codes, resend back-off and lock-outs (SPEC §4, docs/sign-in.md).

The numbers are policy parameters (``otp_*``, ``sign_in_*``); a policy version that does not
name one gets the default written here, so older stored versions keep working.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

CODE_PATTERN = re.compile(r"^[0-9]{6}$")
CODE_DIGITS = 6


@dataclass(frozen=True)
class LockRule:
    """``failures`` within ``window`` lock the key for ``lock``, doubling with each lock that
    follows within ``memory`` of the previous one, never longer than ``lock_max``."""

    failures: int
    window: timedelta
    lock: timedelta
    lock_max: timedelta
    memory: timedelta

    def duration(self, lockouts: int) -> timedelta:
        """How long the ``lockouts``-th lock in a row lasts (1 = the first)."""
        doubled = self.lock * (1 << max(0, min(lockouts - 1, 16)))
        return min(doubled, self.lock_max)


@dataclass(frozen=True)
class SignInRules:
    code_ttl: timedelta
    tries_per_code: int
    challenge_lifetime: timedelta
    resend_first_delay: timedelta
    challenges_per_subject_per_hour: int
    challenges_per_client_per_hour: int
    subject_lock: LockRule
    client_lock: LockRule
    access_token_lifetime: timedelta

    @classmethod
    def from_parameters(cls, parameters: Mapping[str, Any]) -> SignInRules:
        def number(name: str) -> int:
            return int(parameters.get(name, DEFAULT_PARAMETERS[name]))

        memory = timedelta(hours=number("sign_in_lock_memory_hours"))
        return cls(
            code_ttl=timedelta(minutes=number("otp_ttl_minutes")),
            tries_per_code=number("otp_tries"),
            challenge_lifetime=timedelta(minutes=number("otp_challenge_lifetime_minutes")),
            resend_first_delay=timedelta(seconds=number("otp_resend_first_delay_seconds")),
            challenges_per_subject_per_hour=number("otp_requests_per_card_per_hour"),
            challenges_per_client_per_hour=number("otp_requests_per_client_per_hour"),
            subject_lock=LockRule(
                failures=number("sign_in_card_failures"),
                window=timedelta(minutes=number("sign_in_card_window_minutes")),
                lock=timedelta(minutes=number("sign_in_card_lock_minutes")),
                lock_max=timedelta(minutes=number("sign_in_card_lock_max_minutes")),
                memory=memory,
            ),
            client_lock=LockRule(
                failures=number("sign_in_client_failures"),
                window=timedelta(minutes=number("sign_in_client_window_minutes")),
                lock=timedelta(minutes=number("sign_in_client_lock_minutes")),
                lock_max=timedelta(minutes=number("sign_in_client_lock_max_minutes")),
                memory=memory,
            ),
            access_token_lifetime=timedelta(minutes=number("access_token_minutes")),
        )

    def resend_delay(self, sends: int) -> timedelta:
        """The wait before the next send when ``sends`` codes were sent: 30 s, 60 s, 120 s…"""
        return self.resend_first_delay * (1 << max(0, min(sends - 1, 16)))


#: Defaults, and the parameters the initial policy carries (docs/sign-in.md explains each).
DEFAULT_PARAMETERS: Mapping[str, int] = {
    "otp_ttl_minutes": 5,
    "otp_tries": 5,
    "otp_challenge_lifetime_minutes": 30,
    "otp_resend_first_delay_seconds": 30,
    "otp_requests_per_card_per_hour": 5,
    "otp_requests_per_client_per_hour": 60,
    "sign_in_card_failures": 10,
    "sign_in_card_window_minutes": 30,
    "sign_in_card_lock_minutes": 15,
    "sign_in_card_lock_max_minutes": 60,
    "sign_in_client_failures": 50,
    "sign_in_client_window_minutes": 15,
    "sign_in_client_lock_minutes": 15,
    "sign_in_client_lock_max_minutes": 60,
    "sign_in_lock_memory_hours": 24,
    "access_token_minutes": 60,
}


def is_well_formed_code(code: str) -> bool:
    return bool(CODE_PATTERN.match(code))


@dataclass(frozen=True)
class Throttle:
    """The failure count and lock of one key (a card, a passport or a client address)."""

    failures: int = 0
    window_started_at: datetime | None = None
    locked_until: datetime | None = None
    lockouts: int = 0

    def locked_for(self, now: datetime) -> timedelta | None:
        """How long the key stays locked, or None when it is not locked."""
        if self.locked_until is None or self.locked_until <= now:
            return None
        return self.locked_until - now

    def after_failure(self, rule: LockRule, now: datetime) -> Throttle:
        """The state after one more failure at ``now``."""
        state = self
        if state.window_started_at is None or now - state.window_started_at >= rule.window:
            state = replace(state, failures=0, window_started_at=now)
        lockouts = state.lockouts
        if state.locked_until is not None and now - state.locked_until >= rule.memory:
            lockouts = 0  # long enough without trouble: start again from the shortest lock
        failures = state.failures + 1
        if failures < rule.failures:
            return replace(state, failures=failures, lockouts=lockouts)
        lockouts += 1
        return Throttle(
            failures=0,
            window_started_at=None,
            locked_until=now + rule.duration(lockouts),
            lockouts=lockouts,
        )
