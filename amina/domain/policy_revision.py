"""Scheduling a new policy version: the rules a supervisor's change must follow (SPEC §3;
STYLE "Policy is data").

Policy is never edited in place and never changed retroactively: decisions already taken name
the version they used, and a person must be able to read the rules that applied to them on
any past day. A supervisor *adds* a version that takes effect on today's Moscow date or a
later one. Its document is the version in force on that date with the changed parameters;
everything else (the eligibility phases, the exemptions) is carried over unchanged.

Parameters are typed by the value they have in the policy: a switch (``True``/``False``) takes
only a switch, a number only a whole number ≥ 0. A name the policy does not know is refused —
a typo must not become a parameter that nothing reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from amina.domain.policy import INITIAL_POLICY_DOCUMENT


class ParameterKind(StrEnum):
    switch = "switch"
    number = "number"


class RevisionRefused(Exception):
    """A rule of policy editing says no. ``code`` is stable; ``field`` names the parameter (or
    ``effective_from``, ``changes``) at fault."""

    def __init__(self, code: str, field: str | None = None) -> None:
        super().__init__(code if field is None else f"{code}: {field}")
        self.code = code
        self.field = field


@dataclass(frozen=True)
class ParameterChange:
    """One parameter of the new version, with the value it replaces."""

    name: str
    old: int | bool
    new: int | bool


def full_parameters(parameters: Mapping[str, Any]) -> dict[str, Any]:
    """A version's parameters with every parameter the policy knows: one that was added after
    the version was written has the value it was introduced with (the initial document, where
    every parameter is first defined)."""
    return {**INITIAL_POLICY_DOCUMENT["parameters"], **parameters}


def parameter_kind(value: Any) -> ParameterKind:
    # bool first: in Python a bool is also an int
    return ParameterKind.switch if isinstance(value, bool) else ParameterKind.number


def parameter_value(kind: ParameterKind, value: object, name: str) -> int | bool:
    """``value`` as the parameter's type. Accepts the type itself or its text form as a form
    sends it (``"true"``/``"false"``; decimal digits)."""
    if kind is ParameterKind.switch:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise RevisionRefused("parameter_not_switch", name)
    if isinstance(value, bool):
        raise RevisionRefused("parameter_not_whole_number", name)
    if isinstance(value, str):
        text = value.strip()
        negative = text.startswith("-") and text[1:].isdecimal()
        if negative:
            raise RevisionRefused("parameter_negative", name)
        if not text.isdecimal() or not text.isascii():
            raise RevisionRefused("parameter_not_whole_number", name)
        value = int(text)
    if not isinstance(value, int):
        raise RevisionRefused("parameter_not_whole_number", name)
    if value < 0:
        raise RevisionRefused("parameter_negative", name)
    return value


def revise(
    parameters: Mapping[str, Any], changes: Mapping[str, object]
) -> tuple[dict[str, Any], list[ParameterChange]]:
    """The new parameters and what changed. A value equal to the one it replaces is no change;
    a revision without any change is refused (``no_changes``)."""
    current = full_parameters(parameters)
    unknown = sorted(name for name in changes if name not in current)
    if unknown:
        raise RevisionRefused("parameter_unknown", unknown[0])
    revised = dict(current)
    made: list[ParameterChange] = []
    for name in sorted(changes):
        old = current[name]
        new = parameter_value(parameter_kind(old), changes[name], name)
        if new == old and isinstance(new, bool) == isinstance(old, bool):
            continue
        revised[name] = new
        made.append(ParameterChange(name, old, new))
    if not made:
        raise RevisionRefused("no_changes", "changes")
    return revised, made


def check_effective_from(effective_from: date, today: date) -> None:
    """Policy is never changed retroactively: a version takes effect today or later."""
    if effective_from < today:
        raise RevisionRefused("policy_retroactive", "effective_from")


def next_version_id(effective_from: date, existing: Iterable[str]) -> str:
    """``2026-12-01.1``, or ``.2``, ``.3`` … when that day already has versions (the highest
    number is in force: :class:`~amina.domain.policy.PolicyBook` orders by it)."""
    prefix = effective_from.isoformat() + "."
    taken = [
        int(version[len(prefix) :])
        for version in existing
        if version.startswith(prefix) and version[len(prefix) :].isdecimal()
    ]
    return f"{prefix}{max(taken, default=0) + 1}"
