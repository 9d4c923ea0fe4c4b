"""Standard reasons (issue 13): policy data, checked against the decision they carry, with an
optional note; every one has words in every language."""

from __future__ import annotations

from datetime import date

import pytest

from amina.domain.decisions import (
    STANDARD_REASONS,
    CaseStatus,
    DecisionKind,
    DecisionRequest,
    Refusal,
    check_decision,
)
from amina.domain.policy import Policy, initial_policy
from amina.i18n import Translator, all_translators
from amina.services.compliance.messages import STANDARD_REASON_TEXTS, reason_for_reader

TODAY = date(2025, 11, 17)


def check(request: DecisionRequest, in_force: tuple[str, ...] = tuple(STANDARD_REASONS)) -> str:
    return check_decision(
        request, case_status=CaseStatus.open, today=TODAY, standard_reasons=in_force
    )


def test_a_standard_reason_needs_no_note_but_a_written_reason_does() -> None:
    assert check(DecisionRequest(DecisionKind.dismiss, "", reason_code="phone_fault")) == ""
    with pytest.raises(Refusal) as refused:
        check(DecisionRequest(DecisionKind.dismiss, ""))
    assert refused.value.code == "reason_required"


def test_a_standard_reason_must_fit_the_decision_and_be_in_force() -> None:
    with pytest.raises(Refusal) as unfit:
        check(DecisionRequest(DecisionKind.dismiss, "", reason_code="not_living_at_address"))
    assert (unfit.value.code, unfit.value.field) == ("reason_code_not_for_decision", "reason_code")
    with pytest.raises(Refusal) as retired:
        check(
            DecisionRequest(DecisionKind.dismiss, "", reason_code="phone_fault"),
            in_force=("reports_arrived_late",),
        )
    assert retired.value.code == "reason_code_unknown"


def test_a_policy_version_without_reasons_has_them_all_and_one_may_narrow_them() -> None:
    assert initial_policy().decision_reasons == tuple(STANDARD_REASONS)
    doc = {
        "eligibility_rules": [],
        "exemptions": {"citizenships": [], "categories": [], "adult_age": 18},
        "decision_reasons": ["phone_fault", "no_such_code"],
    }
    assert Policy.from_doc("v", TODAY, doc).decision_reasons == ("phone_fault",)


@pytest.mark.parametrize("code", list(STANDARD_REASONS))
def test_every_standard_reason_has_words_in_every_language(code: str) -> None:
    english = STANDARD_REASON_TEXTS[code]
    for t in all_translators():
        words = t.gettext(english)
        assert words
        if t.language != "en":
            assert words != english, (t.language, code)


def test_the_note_is_shown_as_written_and_marked_with_its_language() -> None:
    text = reason_for_reader("", "phone_fault", "Звонили, не ответил.", "ru", Translator("ka"))
    assert text.startswith(Translator("ka").gettext(STANDARD_REASON_TEXTS["phone_fault"]))
    assert "რუსული" in text
    assert text.endswith("Звонили, не ответил.")
    assert reason_for_reader("As written.", None, None, None, Translator("ka")) == "As written."
