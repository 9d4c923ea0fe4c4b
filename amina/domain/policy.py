"""Policy as data: effective-dated versions of every rule parameter.

A policy version is a document (plain dict, stored as JSON) that takes effect on its
``effective_from`` date (Moscow calendar date). The version in force on a date is the one with
the latest ``effective_from`` not after that date. Every decision records the version it used.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

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
    """One version of the whole policy."""

    version: str
    effective_from: date
    rules: tuple[EligibilityRule, ...]
    exemptions: Exemptions
    parameters: Mapping[str, Any] = field(default_factory=dict)

    def parameter(self, name: str) -> Any:
        return self.parameters[name]

    @classmethod
    def from_doc(cls, version: str, effective_from: date, doc: Mapping[str, Any]) -> Policy:
        ex = doc["exemptions"]
        return cls(
            version=version,
            effective_from=effective_from,
            rules=tuple(EligibilityRule.from_doc(r) for r in doc["eligibility_rules"]),
            exemptions=Exemptions(
                citizenships=frozenset(ex["citizenships"]),
                categories=frozenset(ex["categories"]),
                adult_age=int(ex["adult_age"]),
            ),
            parameters=dict(doc.get("parameters", {})),
        )


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
