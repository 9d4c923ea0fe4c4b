"""Who must use Amina (SPEC §3): properties that hold for every person and date, and examples.

The rules come from policy data; these tests use the initial policy document, and one test
adds a phase as data to show that nothing in the code has to change for it.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from amina.domain.eligibility import (
    Category,
    EligibilityFacts,
    EligibilityStatus,
    Purpose,
    evaluate,
)
from amina.domain.policy import (
    COVERED_CITIZENSHIPS_PHASE_1,
    INITIAL_POLICY_DOCUMENT,
    Policy,
    PolicyBook,
    initial_policy,
)

POLICY = initial_policy()
PHASE_1 = date(2025, 9, 1)
PHASE_2 = date(2026, 9, 1)

citizenships = st.sampled_from([*COVERED_CITIZENSHIPS_PHASE_1, "BY", "CN", "IN", "TR", "VN", "US"])
purposes = st.sampled_from(list(Purpose))
regions = st.sampled_from(["RU-MOW", "RU-MOS", "other", None])
categories = st.sampled_from(list(Category))
stays = st.one_of(st.none(), st.integers(min_value=0, max_value=3650))
evaluation_days = st.dates(min_value=date(2024, 1, 1), max_value=date(2032, 12, 31))
births = st.dates(min_value=date(1930, 1, 1), max_value=date(2032, 12, 31))


def birthday_years_before(on: date, years: int) -> date:
    """``on`` moved back ``years`` years (29 February becomes 28 February)."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


@st.composite
def facts_on_a_day(draw: st.DrawFn, **fixed: Any) -> tuple[EligibilityFacts, date]:
    on = fixed.pop("on", None) or draw(evaluation_days)
    values: dict[str, Any] = {
        "citizenship": draw(citizenships),
        "date_of_birth": draw(births.filter(lambda born: born <= on)),
        "purpose": draw(purposes),
        "region": draw(regions),
        "intended_stay_days": draw(stays),
        "category": draw(categories),
    }
    for name, value in fixed.items():
        values[name] = draw(value) if isinstance(value, st.SearchStrategy) else value
    return EligibilityFacts(**values), on


@st.composite
def children(draw: st.DrawFn) -> tuple[EligibilityFacts, date]:
    on = draw(evaluation_days)
    eighteenth_birthday = birthday_years_before(on, 18)
    born = draw(st.dates(min_value=eighteenth_birthday + timedelta(days=1), max_value=on))
    return draw(facts_on_a_day(on=on, date_of_birth=born))


@given(children())
def test_a_child_is_never_required(case: tuple[EligibilityFacts, date]) -> None:
    facts, on = case
    assert evaluate(facts, on, POLICY).status is not EligibilityStatus.required


@given(facts_on_a_day(citizenship="BY"))
def test_a_citizen_of_belarus_is_never_required(case: tuple[EligibilityFacts, date]) -> None:
    facts, on = case
    assert evaluate(facts, on, POLICY).status is not EligibilityStatus.required


@given(
    facts_on_a_day(),
    st.dates(min_value=date(2020, 1, 1), max_value=PHASE_1 - timedelta(days=1)),
)
def test_nobody_is_required_before_1_september_2025(
    case: tuple[EligibilityFacts, date], on: date
) -> None:
    facts, _ = case
    assert evaluate(facts, on, POLICY).status is EligibilityStatus.not_covered


@given(
    facts_on_a_day(purpose=st.sampled_from([p for p in Purpose if p is not Purpose.work])),
    st.dates(min_value=date(2020, 1, 1), max_value=PHASE_2 - timedelta(days=1)),
)
def test_a_stay_not_for_work_is_never_required_before_1_september_2026(
    case: tuple[EligibilityFacts, date], on: date
) -> None:
    facts, _ = case
    assert evaluate(facts, on, POLICY).status is not EligibilityStatus.required


def adult_worker(**changes: Any) -> EligibilityFacts:
    values: dict[str, Any] = {
        "citizenship": "TJ",
        "date_of_birth": date(1990, 5, 1),
        "purpose": Purpose.work,
        "region": "RU-MOW",
        "intended_stay_days": 365,
        "category": Category.none,
    }
    values.update(changes)
    return EligibilityFacts(**values)


def test_an_adult_tajik_worker_in_moscow_is_required_from_the_first_day_of_phase_1() -> None:
    answer = evaluate(adult_worker(), PHASE_1, POLICY)
    assert answer.status is EligibilityStatus.required
    assert answer.rule == "phase-1-work"
    assert answer.policy_version == POLICY.version
    assert evaluate(adult_worker(), PHASE_1 - timedelta(days=1), POLICY).status is (
        EligibilityStatus.not_covered
    )


def test_a_worker_in_moscow_oblast_is_required_and_one_elsewhere_is_not_covered() -> None:
    assert evaluate(adult_worker(region="RU-MOS"), PHASE_1, POLICY).status is (
        EligibilityStatus.required
    )
    assert evaluate(adult_worker(region="other"), PHASE_1, POLICY).status is (
        EligibilityStatus.not_covered
    )


def test_a_worker_from_a_country_outside_phase_1_is_not_covered_in_phase_1() -> None:
    answer = evaluate(adult_worker(citizenship="CN"), date(2026, 10, 1), POLICY)
    assert answer.status is EligibilityStatus.not_covered


def test_a_belarusian_worker_is_exempt_by_citizenship() -> None:
    # Belarus is not a phase-1 country, so a Belarusian is "covered but exempt" only in phase 2
    answer = evaluate(
        adult_worker(citizenship="BY", purpose=Purpose.study), date(2026, 10, 1), POLICY
    )
    assert (answer.status, answer.reason) == (EligibilityStatus.exempt, "exempt_citizenship")


def test_a_belarusian_worker_in_phase_1_is_told_they_are_exempt_not_uncovered() -> None:
    answer = evaluate(adult_worker(citizenship="BY"), date(2025, 9, 1), POLICY)
    assert (answer.status, answer.reason) == (EligibilityStatus.exempt, "exempt_citizenship")
    assert answer.rule == "phase-1-work"


def test_a_belarusian_tourist_for_a_week_is_not_covered() -> None:
    tourist = EligibilityFacts("BY", date(1990, 1, 1), Purpose.tourism, "RU-MOW", 7)
    assert evaluate(tourist, date(2026, 10, 1), POLICY).status is EligibilityStatus.not_covered


def test_a_seventeen_year_old_worker_is_exempt_until_the_eighteenth_birthday() -> None:
    worker = adult_worker(date_of_birth=date(2008, 3, 15))
    day_before = evaluate(worker, date(2026, 3, 14), POLICY)
    birthday = evaluate(worker, date(2026, 3, 15), POLICY)
    assert (day_before.status, day_before.reason) == (EligibilityStatus.exempt, "exempt_minor")
    assert birthday.status is EligibilityStatus.required


def test_diplomats_their_families_and_international_staff_are_exempt_with_their_reason() -> None:
    for category, reason in [
        (Category.diplomat, "exempt_diplomat"),
        (Category.diplomat_family, "exempt_diplomat_family"),
        (Category.international_org_staff, "exempt_international_org_staff"),
    ]:
        answer = evaluate(adult_worker(category=category), PHASE_1, POLICY)
        assert (answer.status, answer.reason) == (EligibilityStatus.exempt, reason)
        assert answer.rule == "phase-1-work"


def student(stay: int | None) -> EligibilityFacts:
    return adult_worker(citizenship="CN", purpose=Purpose.study, intended_stay_days=stay)


def test_phase_2_covers_stays_longer_than_90_days_not_90_days_itself() -> None:
    assert evaluate(student(90), PHASE_2, POLICY).status is EligibilityStatus.not_covered
    ninety_one = evaluate(student(91), PHASE_2, POLICY)
    assert ninety_one.status is EligibilityStatus.required
    assert ninety_one.rule == "phase-2-long-stay"


def test_phase_2_starts_on_1_september_2026() -> None:
    assert evaluate(student(365), PHASE_2 - timedelta(days=1), POLICY).status is (
        EligibilityStatus.not_covered
    )
    assert evaluate(student(365), PHASE_2, POLICY).status is EligibilityStatus.required


def test_a_stay_of_unknown_length_is_not_covered_by_phase_2() -> None:
    assert evaluate(student(None), PHASE_2, POLICY).status is EligibilityStatus.not_covered


PHASE_3 = date(2027, 3, 1)


def policy_with_phase_3() -> PolicyBook:
    """The initial policy plus a new version, written as data only: from 2027-03-01 every
    student in Moscow or Moscow Oblast is covered whatever the length of the stay."""
    document = copy.deepcopy(INITIAL_POLICY_DOCUMENT)
    document["eligibility_rules"].append(
        {
            "id": "phase-3-study",
            "effective_from": PHASE_3.isoformat(),
            "purposes": ["study"],
            "citizenships": None,
            "regions": ["RU-MOW", "RU-MOS"],
        }
    )
    return PolicyBook([POLICY, Policy.from_doc("2027-03-01.1", PHASE_3, document)])


def test_a_new_phase_added_as_data_takes_effect_on_its_date() -> None:
    book = policy_with_phase_3()
    short_stay = student(30)
    before = evaluate(short_stay, PHASE_3 - timedelta(days=1), book.in_force_on(PHASE_3))
    on_the_day = evaluate(short_stay, PHASE_3, book.in_force_on(PHASE_3))
    assert before.status is EligibilityStatus.not_covered
    assert (on_the_day.status, on_the_day.rule) == (EligibilityStatus.required, "phase-3-study")
    assert on_the_day.policy_version == "2027-03-01.1"
    assert book.in_force_on(PHASE_3 - timedelta(days=1)).version == POLICY.version


@given(facts_on_a_day(purpose=Purpose.study, region="RU-MOW", category=Category.none))
def test_the_new_phase_never_applies_before_its_date(case: tuple[EligibilityFacts, date]) -> None:
    facts, on = case
    book = policy_with_phase_3()
    answer = evaluate(facts, on, book.in_force_on(on))
    if on < PHASE_3:
        assert answer.rule != "phase-3-study"
    else:
        assert answer.status is not EligibilityStatus.not_covered
