"""The registration lifecycle (SPEC §5): every pair of states, allowed or refused."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from amina.domain.registration import (
    TRANSITIONS,
    IllegalTransition,
    RegistrationEventKind,
    RegistrationStatus,
    holds_the_place,
    stay_problems,
    transition,
)

S = RegistrationStatus
ALLOWED = {
    (S.active, S.confirmation_requested),
    (S.confirmation_requested, S.active),
    (S.confirmation_requested, S.deregistered),
    (S.active, S.closed),
    (S.confirmation_requested, S.closed),
    (S.deregistered, S.active),
}


@pytest.mark.parametrize(("current", "target"), list(itertools.product(S, S)))
def test_every_pair_of_states_is_either_an_allowed_transition_or_refused(
    current: RegistrationStatus, target: RegistrationStatus
) -> None:
    if (current, target) in ALLOWED:
        assert transition(current, target, reason="a reason") in RegistrationEventKind
    else:
        with pytest.raises(IllegalTransition):
            transition(current, target, reason="a reason")


def test_the_table_allows_exactly_the_documented_transitions() -> None:
    assert set(TRANSITIONS) == ALLOWED


def test_a_closed_registration_never_comes_back() -> None:
    for target in S:
        with pytest.raises(IllegalTransition):
            transition(S.closed, target, reason="x")


def test_deregistration_needs_a_written_reason() -> None:
    with pytest.raises(ValueError, match="reason"):
        transition(S.confirmation_requested, S.deregistered, reason="  ")


def test_only_active_and_confirmation_requested_hold_the_place() -> None:
    assert {s for s in S if holds_the_place(s)} == {S.active, S.confirmation_requested}


def _codes(stay_from: date, stay_to: date, valid_to: date = date(2026, 12, 31)) -> set[str]:
    return {
        p.code
        for p in stay_problems(
            stay_from,
            stay_to,
            today=date(2025, 11, 5),
            document_valid_to=valid_to,
            backdate_grace_days=3,
        )
    }


def test_a_stay_within_the_card_validity_starting_today_is_fine() -> None:
    assert _codes(date(2025, 11, 5), date(2026, 5, 5)) == set()


def test_a_stay_may_start_up_to_the_grace_period_in_the_past() -> None:
    assert _codes(date(2025, 11, 2), date(2026, 5, 5)) == set()
    assert _codes(date(2025, 11, 1), date(2026, 5, 5)) == {"stay_starts_too_far_in_the_past"}


def test_a_stay_beyond_the_card_validity_is_refused() -> None:
    assert "stay_beyond_document_validity" in _codes(date(2025, 11, 5), date(2027, 1, 1))


def test_a_stay_that_ends_before_it_starts_is_refused() -> None:
    assert "stay_ends_before_it_starts" in _codes(date(2025, 12, 5), date(2025, 11, 20))
