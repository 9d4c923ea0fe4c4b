"""The rules a supervisor's policy change follows (amina.domain.policy_revision)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amina.domain.policy import INITIAL_POLICY_DOCUMENT
from amina.domain.policy_revision import (
    RevisionRefused,
    check_effective_from,
    next_version_id,
    revise,
)

PARAMETERS = INITIAL_POLICY_DOCUMENT["parameters"]


def test_a_revision_changes_only_the_named_parameters_and_says_what_they_were() -> None:
    revised, changes = revise(PARAMETERS, {"no_data_working_days": "5"})
    assert revised == {**PARAMETERS, "no_data_working_days": 5}
    assert [(c.name, c.old, c.new) for c in changes] == [("no_data_working_days", 3, 5)]


def test_a_parameter_missing_from_an_old_version_gets_its_initial_value() -> None:
    old = {k: v for k, v in PARAMETERS.items() if k != "objection_days"}
    revised, _ = revise(old, {"low_accuracy_m": 300})
    assert revised["objection_days"] == PARAMETERS["objection_days"]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"no_such_thing": 1}, "parameter_unknown"),
        ({"no_data_working_days": -1}, "parameter_negative"),
        ({"no_data_working_days": "-4"}, "parameter_negative"),
        ({"no_data_working_days": "3.5"}, "parameter_not_whole_number"),
        ({"no_data_working_days": True}, "parameter_not_whole_number"),
        ({"no_data_working_days": "٣"}, "parameter_not_whole_number"),  # Arabic-Indic digit
        ({"proximity_check_enabled": 1}, "parameter_not_switch"),
        ({"proximity_check_enabled": "yes"}, "parameter_not_switch"),
        ({"no_data_working_days": 3}, "no_changes"),
        ({}, "no_changes"),
    ],
)
def test_a_revision_refuses_unknown_names_wrong_types_and_no_change(
    changes: dict[str, object], code: str
) -> None:
    with pytest.raises(RevisionRefused) as refused:
        revise(PARAMETERS, changes)
    assert refused.value.code == code


def test_switches_take_true_and_false_as_a_form_sends_them() -> None:
    revised, _ = revise(PARAMETERS, {"proximity_check_enabled": "true"})
    assert revised["proximity_check_enabled"] is True


def test_policy_takes_effect_today_or_later_never_in_the_past() -> None:
    today = date(2025, 11, 5)
    check_effective_from(today, today)
    check_effective_from(date(2025, 11, 6), today)
    with pytest.raises(RevisionRefused) as refused:
        check_effective_from(date(2025, 11, 4), today)
    assert refused.value.code == "policy_retroactive"


@given(st.lists(st.integers(min_value=1, max_value=50), unique=True))
def test_a_new_version_on_a_day_is_numbered_after_that_days_versions(taken: list[int]) -> None:
    day = date(2026, 12, 1)
    existing = [f"2026-12-01.{n}" for n in taken] + ["2026-11-30.99", "2025-09-01.1"]
    assert next_version_id(day, existing) == f"2026-12-01.{max(taken, default=0) + 1}"
