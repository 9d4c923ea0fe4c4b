"""Scheduling a new policy version: the rules a supervisor's change must follow (SPEC §3;
STYLE "Policy is data").

Policy is never edited in place and never changed retroactively: decisions already taken name
the version they used, and a person must be able to read the rules that applied to them on
any past day. A supervisor *adds* a version that takes effect on today's Moscow date or a
later one. Its document is the version in force on that date with the changed parameters;
everything else (the eligibility phases, the exemptions) is carried over unchanged.

Parameters have a type, a unit and an allowed range (:data:`~amina.domain.policy.PARAMETER_RANGES`):
a switch (``True``/``False``) takes only a switch, a number only a whole number within its
range. A name the policy does not know is refused — a typo must not become a parameter that
nothing reads. Every problem of a change is found at once (:class:`RevisionRefused` lists them),
so the editor can show them all together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from amina.domain.policy import (
    INITIAL_POLICY_DOCUMENT,
    PARAMETER_RANGES,
    ParameterKind,
    ParameterRange,
    Unit,
)

__all__ = ["ParameterKind", "Problem", "RevisionRefused"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a change: a stable ``code`` and the ``field`` at fault (a
    parameter's name, ``effective_from``, ``reason`` or ``changes``)."""

    code: str
    field: str | None = None


class RevisionRefused(Exception):
    """A rule of policy editing says no. ``problems`` lists every one found; ``code`` and
    ``field`` are the first's."""

    def __init__(self, code: str, field: str | None = None, *more: Problem) -> None:
        super().__init__(code if field is None else f"{code}: {field}")
        self.code = code
        self.field = field
        self.problems: tuple[Problem, ...] = (Problem(code, field), *more)

    @classmethod
    def of(cls, problems: Iterable[Problem]) -> RevisionRefused:
        first, *rest = problems
        return cls(first.code, first.field, *rest)


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


def parameter_range(name: str, value: Any) -> ParameterRange:
    """The parameter's type, unit and range; a parameter the domain does not list (none
    should be) is typed by its value, any whole number ≥ 0."""
    known = PARAMETER_RANGES.get(name)
    if known is not None:
        return known
    return ParameterRange(parameter_kind(value), Unit.number_of, 0, 2**31)


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


def checked_value(allowed: ParameterRange, value: object, name: str) -> int | bool:
    """``value`` as the parameter's type, within its range (``parameter_out_of_range``)."""
    typed = parameter_value(allowed.kind, value, name)
    if not allowed.allows(typed):
        raise RevisionRefused("parameter_out_of_range", name)
    return typed


def revise(
    parameters: Mapping[str, Any], changes: Mapping[str, object]
) -> tuple[dict[str, Any], list[ParameterChange]]:
    """The new parameters and what changed. A value equal to the one it replaces is no change;
    a revision without any change is refused (``no_changes``). Every unknown name and every
    value of the wrong type or out of range is refused at once."""
    current = full_parameters(parameters)
    problems = [Problem("parameter_unknown", name) for name in changes if name not in current]
    revised = dict(current)
    made: list[ParameterChange] = []
    for name in changes:
        if name not in current:
            continue
        old = current[name]
        try:
            new = checked_value(parameter_range(name, old), changes[name], name)
        except RevisionRefused as refusal:
            problems.extend(refusal.problems)
            continue
        if new == old and isinstance(new, bool) == isinstance(old, bool):
            continue
        revised[name] = new
        made.append(ParameterChange(name, old, new))
    if problems:
        raise RevisionRefused.of(problems)
    if not made:
        raise RevisionRefused("no_changes", "changes")
    made.sort(key=lambda change: change.name)
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
