"""Who must use Amina (SPEC §3): evaluated for one person on one date against policy data.

No phase, citizenship or date is written here: they come from :class:`~amina.domain.policy.Policy`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from amina.domain.policy import EligibilityRule, Policy


class EligibilityStatus(StrEnum):
    required = "required"
    exempt = "exempt"
    not_covered = "not_covered"


class Category(StrEnum):
    none = "none"
    diplomat = "diplomat"
    diplomat_family = "diplomat_family"
    international_org_staff = "international_org_staff"


class Purpose(StrEnum):
    work = "work"
    study = "study"
    private = "private"
    tourism = "tourism"
    other = "other"


REGIONS = ("RU-MOW", "RU-MOS")


@dataclass(frozen=True)
class EligibilityFacts:
    citizenship: str
    date_of_birth: date
    purpose: Purpose
    region: str | None
    intended_stay_days: int | None
    category: Category = Category.none


@dataclass(frozen=True)
class EligibilityAnswer:
    status: EligibilityStatus
    rule: str | None
    reason: str
    policy_version: str


def age_on(born: date, on: date) -> int:
    years = on.year - born.year
    if (on.month, on.day) < (born.month, born.day):
        years -= 1
    return years


def _rule_matches(
    rule: EligibilityRule, facts: EligibilityFacts, on: date, *, any_citizenship: bool = False
) -> bool:
    if on < rule.effective_from:
        return False
    if facts.region not in rule.regions:
        return False
    if rule.purposes is not None and facts.purpose.value not in rule.purposes:
        return False
    if facts.purpose.value in rule.purposes_excluded:
        return False
    if (
        not any_citizenship
        and rule.citizenships is not None
        and facts.citizenship.upper() not in rule.citizenships
    ):
        return False
    if rule.min_intended_stay_days is not None:
        stay = facts.intended_stay_days
        if stay is None or stay <= rule.min_intended_stay_days:
            return False
    return True


def evaluate(facts: EligibilityFacts, on: date, policy: Policy) -> EligibilityAnswer:
    """Decide ``required`` / ``exempt`` / ``not_covered`` for ``facts`` on ``on``.

    Exemptions are checked only for people a rule would otherwise cover, so that ``exempt``
    always means "covered by a rule, but exempt for this reason". Citizens of an exempt country
    are told they are exempt whenever a rule would cover them but for its citizenship list
    (a Belarusian worker in Moscow is exempt, not "not covered"), because that is the answer
    that explains their situation.
    """
    matching = [r for r in policy.rules if _rule_matches(r, facts, on)]
    if not matching and facts.citizenship.upper() in policy.exemptions.citizenships:
        matching = [r for r in policy.rules if _rule_matches(r, facts, on, any_citizenship=True)]
    if not matching:
        return EligibilityAnswer(
            EligibilityStatus.not_covered, None, "no_rule_applies", policy.version
        )
    rule = matching[0]
    ex = policy.exemptions
    if facts.citizenship.upper() in ex.citizenships:
        reason = "exempt_citizenship"
    elif age_on(facts.date_of_birth, on) < ex.adult_age:
        reason = "exempt_minor"
    elif facts.category.value in ex.categories:
        reason = f"exempt_{facts.category.value}"
    else:
        return EligibilityAnswer(EligibilityStatus.required, rule.id, "covered", policy.version)
    return EligibilityAnswer(EligibilityStatus.exempt, rule.id, reason, policy.version)
