"""Sign-in rules (amina.domain.sign_in): lock-outs stay short, resends back off, and the
numbers come from policy data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from amina.domain.policy import initial_policy
from amina.domain.sign_in import DEFAULT_PARAMETERS, SignInRules, Throttle

RULES = SignInRules.from_parameters(initial_policy().parameters)
NOW = datetime(2025, 11, 5, 7, 0, tzinfo=UTC)


def _fail(state: Throttle, times: int, at: datetime) -> Throttle:
    for _ in range(times):
        state = state.after_failure(RULES.subject_lock, at)
    return state


def test_ten_failures_within_half_an_hour_lock_the_card_for_fifteen_minutes() -> None:
    nine = _fail(Throttle(), 9, NOW)
    assert nine.locked_for(NOW) is None
    assert _fail(nine, 1, NOW).locked_for(NOW) == timedelta(minutes=15)


def test_failures_spread_beyond_the_window_never_lock() -> None:
    state = Throttle()
    at = NOW
    for _ in range(100):
        state = state.after_failure(RULES.subject_lock, at)
        assert state.locked_for(at) is None or state.failures == 0
        at += timedelta(minutes=4)  # 7 failures per 30-minute window at most
    assert state.lockouts == 0


def test_locks_double_up_to_an_hour_and_are_forgotten_after_a_quiet_day() -> None:
    state, at, lengths = Throttle(), NOW, []
    for _ in range(5):
        state = _fail(state, 10, at)
        wait = state.locked_for(at)
        assert wait is not None
        lengths.append(int(wait.total_seconds() // 60))
        at += wait
    assert lengths == [15, 30, 60, 60, 60]
    quiet = _fail(state, 10, at + timedelta(hours=24))
    assert quiet.locked_for(at + timedelta(hours=24)) == timedelta(minutes=15)


@given(st.lists(st.integers(min_value=0, max_value=7200), min_size=1, max_size=200))
def test_no_sequence_of_failures_locks_a_card_for_more_than_an_hour(gaps: list[int]) -> None:
    state, at = Throttle(), NOW
    for gap in gaps:
        at += timedelta(seconds=gap)
        state = state.after_failure(RULES.subject_lock, at)
        wait = state.locked_for(at)
        assert wait is None or wait <= timedelta(hours=1)


def test_resends_back_off_30_60_120_seconds() -> None:
    assert [RULES.resend_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]


def test_the_numbers_are_policy_parameters() -> None:
    parameters = {**DEFAULT_PARAMETERS, "otp_ttl_minutes": 3, "sign_in_card_lock_minutes": 5}
    rules = SignInRules.from_parameters(parameters)
    assert rules.code_ttl == timedelta(minutes=3)
    assert rules.subject_lock.lock == timedelta(minutes=5)
    assert SignInRules.from_parameters({}) == RULES  # an older policy version gets the defaults
