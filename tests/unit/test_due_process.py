"""Due process (amina.domain.decisions): a written reason, four eyes on referrals, the
objection window, and what overturning a decision undoes. Also the outbox's back-off."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amina.domain.decisions import (
    CaseStatus,
    DecisionKind,
    DecisionRequest,
    ReferralStatus,
    Refusal,
    check_decision,
    check_objection,
    check_objection_decision,
    check_referral_confirmation,
    objection_deadline,
    overturn_effects,
    withdrawal_needs_message,
)
from amina.domain.delivery import MAX_BACKOFF, backoff, gives_up

TODAY = date(2025, 11, 12)


def refusal(call: object) -> str:
    assert callable(call)
    with pytest.raises(Refusal) as caught:
        call()
    return caught.value.code


@pytest.mark.parametrize("reason", ["", "   ", "too short"])
def test_a_decision_without_a_written_reason_is_refused(reason: str) -> None:
    request = DecisionRequest(DecisionKind.deregister, reason)
    assert (
        refusal(lambda: check_decision(request, case_status=CaseStatus.open, today=TODAY))
        == "reason_required"
    )


def test_a_decision_with_a_reason_is_accepted_and_the_reason_kept_as_written() -> None:
    request = DecisionRequest(DecisionKind.dismiss, "  Phone was in repair, receipt shown.  ")
    assert (
        check_decision(request, case_status=CaseStatus.open, today=TODAY)
        == "Phone was in repair, receipt shown."
    )


def test_only_an_open_case_can_be_decided() -> None:
    request = DecisionRequest(DecisionKind.dismiss, "The person answered by phone.")
    for status in (CaseStatus.decided, CaseStatus.reopened, CaseStatus.closed):
        assert (
            refusal(lambda s=status: check_decision(request, case_status=s, today=TODAY))
            == "case_not_open"
        )


def test_extending_needs_a_later_deadline_and_only_extending_has_one() -> None:
    reason = "Person is in hospital until next week."

    def decide(kind: DecisionKind, new_deadline: date | None) -> object:
        return lambda: check_decision(
            DecisionRequest(kind, reason, new_deadline), case_status=CaseStatus.open, today=TODAY
        )

    assert refusal(decide(DecisionKind.extend_deadline, None)) == "new_deadline_required"
    assert refusal(decide(DecisionKind.extend_deadline, TODAY)) == "new_deadline_not_in_future"
    assert refusal(decide(DecisionKind.dismiss, TODAY + timedelta(days=3))) == (
        "new_deadline_only_when_extending"
    )


def test_only_a_deregistration_may_carry_a_referral() -> None:
    request = DecisionRequest(DecisionKind.dismiss, "No violation was found.", referral=True)
    assert (
        refusal(lambda: check_decision(request, case_status=CaseStatus.open, today=TODAY))
        == "referral_only_with_deregistration"
    )


def test_the_deciding_inspector_cannot_confirm_their_own_referral() -> None:
    pending = ReferralStatus.pending_confirmation
    assert (
        refusal(
            lambda: check_referral_confirmation(pending, decided_by="ins-1", confirming="ins-1")
        )
        == "four_eyes_required"
    )
    check_referral_confirmation(pending, decided_by="ins-1", confirming="sup-1")
    assert (
        refusal(
            lambda: check_referral_confirmation(
                ReferralStatus.confirmed, decided_by="ins-1", confirming="sup-1"
            )
        )
        == "referral_not_pending"
    )


def test_an_objection_is_possible_for_ten_days_after_the_decision() -> None:
    decided = date(2025, 11, 12)
    assert objection_deadline(decided, 10) == date(2025, 11, 22)

    def object_on(day: date, kind: DecisionKind = DecisionKind.deregister) -> str:
        return check_objection(
            kind,
            decided_on=decided,
            today=day,
            objection_days=10,
            already_objected=False,
            text="I was in hospital.",
        )

    assert object_on(date(2025, 11, 22)) == "I was in hospital."
    assert refusal(lambda: object_on(date(2025, 11, 23))) == "objection_period_over"
    assert refusal(lambda: object_on(decided, DecisionKind.dismiss)) == "decision_not_objectable"


def test_a_supervisor_decides_an_objection_once_and_never_the_deciding_inspector() -> None:
    reason = "The hospital certificate covers the days."
    assert (
        check_objection_decision(decided=False, decided_by="ins", supervisor="sup", reason=reason)
        == reason
    )
    assert (
        refusal(
            lambda: check_objection_decision(
                decided=False, decided_by="x", supervisor="x", reason=reason
            )
        )
        == "four_eyes_required"
    )
    assert (
        refusal(
            lambda: check_objection_decision(
                decided=True, decided_by="i", supervisor="s", reason=reason
            )
        )
        == "objection_already_decided"
    )


def test_overturning_a_deregistration_restores_it_and_withdraws_the_referral() -> None:
    effects = overturn_effects(DecisionKind.deregister)
    assert effects.restore_registration
    assert effects.withdraw_referral
    assert not overturn_effects(DecisionKind.extend_deadline).withdraw_referral
    assert overturn_effects(DecisionKind.extend_deadline).confirm_registration


def test_the_registry_is_told_of_a_withdrawal_only_if_it_may_hold_the_referral() -> None:
    assert not withdrawal_needs_message(ReferralStatus.pending_confirmation)
    assert withdrawal_needs_message(ReferralStatus.confirmed)
    assert withdrawal_needs_message(ReferralStatus.sent)


@given(st.integers(min_value=1, max_value=100))
def test_retries_back_off_exponentially_up_to_a_ceiling(attempts: int) -> None:
    assert timedelta(0) < backoff(attempts) <= MAX_BACKOFF
    assert backoff(attempts + 1) >= backoff(attempts)
    if backoff(attempts + 1) < MAX_BACKOFF:
        assert backoff(attempts + 1) == 2 * backoff(attempts)


def test_delivery_is_given_up_after_twelve_attempts() -> None:
    assert not gives_up(11)
    assert gives_up(12)
