"""Policy as data: effective-dated versions of every rule parameter.

A policy version is a document (plain dict, stored as JSON) that takes effect on its
``effective_from`` date (Moscow calendar date). The version in force on a date is the one with
the latest ``effective_from`` not after that date. Every decision records the version it used.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from amina.domain.decisions import STANDARD_REASONS
from amina.domain.sign_in import DEFAULT_PARAMETERS as SIGN_IN_PARAMETERS


@dataclass(frozen=True)
class EligibilityRule:
    """One phase of SPEC §3: who must use Amina from a date."""

    id: str
    effective_from: date
    purposes: frozenset[str] | None  # None: any purpose
    purposes_excluded: frozenset[str]
    citizenships: frozenset[str] | None  # None: any citizenship
    regions: frozenset[str]
    min_intended_stay_days: int | None  # stay must be strictly longer than this

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> EligibilityRule:
        def opt_set(key: str) -> frozenset[str] | None:
            value = doc.get(key)
            return None if value is None else frozenset(value)

        return cls(
            id=str(doc["id"]),
            effective_from=date.fromisoformat(str(doc["effective_from"])),
            purposes=opt_set("purposes"),
            purposes_excluded=frozenset(doc.get("purposes_excluded") or ()),
            citizenships=opt_set("citizenships"),
            regions=frozenset(doc["regions"]),
            min_intended_stay_days=doc.get("min_intended_stay_days"),
        )


@dataclass(frozen=True)
class Exemptions:
    citizenships: frozenset[str]
    categories: frozenset[str]
    adult_age: int


@dataclass(frozen=True)
class Policy:
    """One version of the whole policy.

    Its ``parameters`` are always usable: :meth:`from_doc` replaces a stored value that is not
    of the parameter's type or outside its range (:data:`PARAMETER_RANGES`) by the parameter's
    default and names it in ``unusable`` — a bad value in the database can never make a
    threshold overflow or switch a rule off (the reader logs a warning)."""

    version: str
    effective_from: date
    rules: tuple[EligibilityRule, ...]
    exemptions: Exemptions
    parameters: Mapping[str, Any] = field(default_factory=dict)
    unusable: tuple[str, ...] = ()
    #: The standard reasons in force (codes of ``decisions.STANDARD_REASONS``); a version that
    #: does not name them has them all.
    decision_reasons: tuple[str, ...] = tuple(STANDARD_REASONS)

    def parameter(self, name: str) -> Any:
        return self.parameters[name]

    @classmethod
    def from_doc(cls, version: str, effective_from: date, doc: Mapping[str, Any]) -> Policy:
        ex = doc["exemptions"]
        parameters, unusable = usable_parameters(doc.get("parameters", {}))
        return cls(
            version=version,
            effective_from=effective_from,
            rules=tuple(EligibilityRule.from_doc(r) for r in doc["eligibility_rules"]),
            exemptions=Exemptions(
                citizenships=frozenset(ex["citizenships"]),
                categories=frozenset(ex["categories"]),
                adult_age=int(ex["adult_age"]),
            ),
            parameters=parameters,
            unusable=unusable,
            decision_reasons=decision_reasons(doc.get("decision_reasons")),
        )


def decision_reasons(stored: object) -> tuple[str, ...]:
    """The standard reasons a version names, keeping only known codes; all of them when the
    version names none (or something unusable)."""
    if not isinstance(stored, list):
        return tuple(STANDARD_REASONS)
    known = tuple(code for code in stored if isinstance(code, str) and code in STANDARD_REASONS)
    return known or tuple(STANDARD_REASONS)


class PolicyBook:
    """All policy versions; answers which one is in force on a date."""

    def __init__(self, versions: Iterable[Policy]) -> None:
        self._versions = sorted(versions, key=lambda p: (p.effective_from, p.version))
        if not self._versions:
            raise ValueError("a policy book needs at least one version")

    @property
    def versions(self) -> tuple[Policy, ...]:
        return tuple(self._versions)

    def in_force_on(self, on: date) -> Policy:
        current = self._versions[0]
        for policy in self._versions:
            if policy.effective_from <= on:
                current = policy
        return current


COVERED_CITIZENSHIPS_PHASE_1 = ("UZ", "TJ", "KG", "AM", "KZ", "GE", "AZ", "MD", "UA")

#: The policy Amina starts with (SPEC §3, §6, §7). Loaded into the database by
#: ``amina db upgrade``/``demo load``; later versions are added as data by supervisors.
INITIAL_POLICY_VERSION = "2025-09-01.1"
INITIAL_POLICY_DOCUMENT: dict[str, Any] = {
    "eligibility_rules": [
        {
            "id": "phase-1-work",
            "effective_from": "2025-09-01",
            "purposes": ["work"],
            "citizenships": list(COVERED_CITIZENSHIPS_PHASE_1),
            "regions": ["RU-MOW", "RU-MOS"],
        },
        {
            "id": "phase-2-long-stay",
            "effective_from": "2026-09-01",
            "purposes_excluded": ["work"],
            "citizenships": None,
            "regions": ["RU-MOW", "RU-MOS"],
            "min_intended_stay_days": 90,
        },
    ],
    "exemptions": {
        "citizenships": ["BY"],
        "categories": ["diplomat", "diplomat_family", "international_org_staff"],
        "adult_age": 18,
    },
    "decision_reasons": list(STANDARD_REASONS),
    "parameters": {
        **SIGN_IN_PARAMETERS,  # otp_*, sign_in_*, access_token_minutes: docs/sign-in.md
        "no_data_working_days": 3,
        "notice_deadline_working_days": 3,
        "reminder_after_working_days": 1,
        "out_of_region_days": 3,
        "proximity_check_enabled": False,
        "proximity_radius_m": 2000,
        "objection_days": 10,
        "report_retention_days": 30,
        "idempotency_key_retention_days": 7,
        "report_interval_minutes": 15,
        "low_accuracy_m": 500,
        "too_old_hours": 72,
        "future_tolerance_minutes": 5,
        "impossible_speed_mps": 90,
        "registration_backdate_grace_days": 3,
        "border_margin_m": 1000,
        "far_from_address_m": 2000,
    },
}


def initial_policy() -> Policy:
    return Policy.from_doc(INITIAL_POLICY_VERSION, date(2025, 9, 1), INITIAL_POLICY_DOCUMENT)


# --- the parameters: type, unit and allowed range -----------------------------------------------


class ParameterKind(StrEnum):
    switch = "switch"  # on or off
    number = "number"  # a whole number


class Unit(StrEnum):
    switch = "switch"
    number_of = "count"  # how many (tries, requests, failures)
    working_days = "working days"
    days = "days"
    hours = "hours"
    minutes = "minutes"
    seconds = "seconds"
    metres = "metres"
    metres_per_second = "metres per second"


@dataclass(frozen=True)
class ParameterRange:
    """What a parameter may be: a switch, or a whole number from ``minimum`` to ``maximum``
    (both included) in ``unit``. The ranges keep every rule meaningful and every duration a
    computer can add to a date: a report tolerated 10¹⁴ minutes in the future is no rule."""

    kind: ParameterKind
    unit: Unit
    minimum: int = 0
    maximum: int = 1

    def allows(self, value: object) -> bool:
        if self.kind is ParameterKind.switch:
            return isinstance(value, bool)
        return (
            isinstance(value, int)
            and not isinstance(value, bool)
            and self.minimum <= value <= self.maximum
        )


def _switch() -> ParameterRange:
    return ParameterRange(ParameterKind.switch, Unit.switch)


def _number(unit: Unit, minimum: int, maximum: int) -> ParameterRange:
    return ParameterRange(ParameterKind.number, unit, minimum, maximum)


#: Every parameter of the policy with its type, unit and allowed range; the default is its value
#: in :data:`INITIAL_POLICY_DOCUMENT`. docs/console.md (the policy editor) lists them for people.
PARAMETER_RANGES: Mapping[str, ParameterRange] = {
    # notices and due process (SPEC §7)
    "no_data_working_days": _number(Unit.working_days, 1, 30),
    "notice_deadline_working_days": _number(Unit.working_days, 1, 60),
    "reminder_after_working_days": _number(Unit.working_days, 0, 30),
    "out_of_region_days": _number(Unit.days, 0, 90),
    "proximity_check_enabled": _switch(),
    "proximity_radius_m": _number(Unit.metres, 50, 100_000),
    "objection_days": _number(Unit.days, 1, 90),
    # registrations and location reports (SPEC §5, §6)
    "registration_backdate_grace_days": _number(Unit.days, 0, 30),
    "report_retention_days": _number(Unit.days, 1, 365),
    "idempotency_key_retention_days": _number(Unit.days, 1, 90),
    "report_interval_minutes": _number(Unit.minutes, 1, 1440),
    "low_accuracy_m": _number(Unit.metres, 1, 100_000),
    "too_old_hours": _number(Unit.hours, 1, 8760),
    "future_tolerance_minutes": _number(Unit.minutes, 0, 1440),
    "impossible_speed_mps": _number(Unit.metres_per_second, 1, 1000),
    "border_margin_m": _number(Unit.metres, 0, 100_000),
    "far_from_address_m": _number(Unit.metres, 1, 1_000_000),
    # sign-in (docs/sign-in.md)
    "access_token_minutes": _number(Unit.minutes, 1, 1440),
    "otp_ttl_minutes": _number(Unit.minutes, 1, 60),
    "otp_tries": _number(Unit.number_of, 1, 20),
    "otp_challenge_lifetime_minutes": _number(Unit.minutes, 1, 1440),
    "otp_resend_first_delay_seconds": _number(Unit.seconds, 0, 3600),
    "otp_requests_per_card_per_hour": _number(Unit.number_of, 1, 100),
    "otp_requests_per_client_per_hour": _number(Unit.number_of, 1, 100_000),
    "sign_in_card_failures": _number(Unit.number_of, 1, 100),
    "sign_in_card_window_minutes": _number(Unit.minutes, 1, 1440),
    "sign_in_card_lock_minutes": _number(Unit.minutes, 1, 1440),
    "sign_in_card_lock_max_minutes": _number(Unit.minutes, 1, 10_080),
    "sign_in_client_failures": _number(Unit.number_of, 1, 100_000),
    "sign_in_client_window_minutes": _number(Unit.minutes, 1, 1440),
    "sign_in_client_lock_minutes": _number(Unit.minutes, 1, 1440),
    "sign_in_client_lock_max_minutes": _number(Unit.minutes, 1, 10_080),
    "sign_in_lock_memory_hours": _number(Unit.hours, 1, 720),
}


def parameter_default(name: str) -> Any:
    """The value a parameter was introduced with (the initial policy)."""
    return INITIAL_POLICY_DOCUMENT["parameters"][name]


def usable_parameters(stored: Mapping[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """A version's parameters as the rules may use them, and the names whose stored value was
    not usable (wrong type, out of range) and was replaced by the default. A parameter the
    version does not have (added later) takes its default; one the policy does not know is
    kept as it is (nothing reads it)."""
    usable = dict(stored)
    unusable: list[str] = []
    for name, allowed in PARAMETER_RANGES.items():
        if name not in stored:
            usable[name] = parameter_default(name)
        elif not allowed.allows(stored[name]):
            usable[name] = parameter_default(name)
            unusable.append(name)
    return usable, tuple(unusable)
