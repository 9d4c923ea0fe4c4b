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


# --- types, units and ranges -----------------------------------------------------------------


def test_every_parameter_has_a_type_unit_and_range_that_holds_its_default() -> None:
    from amina.domain.policy import PARAMETER_RANGES

    assert set(PARAMETER_RANGES) == set(PARAMETERS)
    for name, allowed in PARAMETER_RANGES.items():
        assert allowed.allows(PARAMETERS[name]), name


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("future_tolerance_minutes", 10**14),
        ("future_tolerance_minutes", "100000000000000"),
        ("too_old_hours", 0),
        ("no_data_working_days", 0),
        ("report_retention_days", 100_000),
    ],
)
def test_a_value_outside_the_parameters_range_is_refused(name: str, value: object) -> None:
    with pytest.raises(RevisionRefused) as refused:
        revise(PARAMETERS, {name: value})
    assert refused.value.code == "parameter_out_of_range"
    assert refused.value.field == name


def test_every_problem_of_a_change_is_found_at_once() -> None:
    with pytest.raises(RevisionRefused) as refused:
        revise(
            PARAMETERS,
            {
                "future_tolerance_minutes": 10**14,
                "objection_days": "2.5",
                "proximity_check_enabled": "maybe",
                "days_of_grace": 3,
                "no_data_working_days": 5,
            },
        )
    assert {(p.code, p.field) for p in refused.value.problems} == {
        ("parameter_out_of_range", "future_tolerance_minutes"),
        ("parameter_not_whole_number", "objection_days"),
        ("parameter_not_switch", "proximity_check_enabled"),
        ("parameter_unknown", "days_of_grace"),
    }


def test_a_stored_value_out_of_range_is_read_as_the_default_and_named() -> None:
    from datetime import timedelta

    from amina.domain.policy import Policy
    from amina.domain.reports import Thresholds

    document = {
        **INITIAL_POLICY_DOCUMENT,
        "parameters": {**PARAMETERS, "future_tolerance_minutes": 10**14, "otp_tries": "five"},
    }
    policy = Policy.from_doc("2026-01-01.1", date(2026, 1, 1), document)
    assert policy.parameter("future_tolerance_minutes") == PARAMETERS["future_tolerance_minutes"]
    assert policy.parameter("otp_tries") == PARAMETERS["otp_tries"]
    assert set(policy.unusable) == {"future_tolerance_minutes", "otp_tries"}
    thresholds = Thresholds.from_parameters(policy.parameters)
    assert thresholds.future_tolerance == timedelta(minutes=5)
