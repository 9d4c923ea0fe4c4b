"""The host (принимающая сторона) of a registration and what identifies them (SPEC §5).

A host is a person (identified by an identity document) or an organisation (identified by its
taxpayer number, INN: 10 digits for a legal entity, 12 for an individual entrepreneur, each
with check digits).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class HostKind(StrEnum):
    person = "person"
    organisation = "organisation"


@dataclass(frozen=True)
class Host:
    kind: HostKind
    name: str
    document: str | None
    inn: str | None


@dataclass(frozen=True)
class HostProblem:
    field: str
    code: str


_INN_10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN_12_FIRST = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN_12_SECOND = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _check_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def inn_is_valid(inn: str) -> bool:
    """The Russian taxpayer number's check digits hold (10 or 12 digits)."""
    if not inn.isdigit() or not inn.isascii():
        return False
    if len(inn) == 10:
        return _check_digit(inn, _INN_10) == int(inn[9])
    if len(inn) == 12:
        return _check_digit(inn, _INN_12_FIRST) == int(inn[10]) and _check_digit(
            inn, _INN_12_SECOND
        ) == int(inn[11])
    return False


def host_problems(host: Host) -> list[HostProblem]:
    """What is missing or wrong in the host's identifiers (empty list: nothing)."""
    problems: list[HostProblem] = []
    if host.kind is HostKind.person and not (host.document and host.document.strip()):
        problems.append(HostProblem("host.document", "host_document_required"))
    if host.kind is HostKind.organisation and not (host.inn and host.inn.strip()):
        problems.append(HostProblem("host.inn", "host_inn_required"))
    if host.inn and host.inn.strip() and not inn_is_valid(host.inn.strip()):
        problems.append(HostProblem("host.inn", "host_inn_invalid"))
    return problems


def describe_host(host: Host) -> str:
    """The host in one line, as a slip prints it (Russian document words)."""
    parts = [host.name.strip()]
    if host.inn:
        parts.append(f"ИНН {host.inn.strip()}")
    if host.document:
        parts.append(f"документ {host.document.strip()}")
    return ", ".join(parts)
