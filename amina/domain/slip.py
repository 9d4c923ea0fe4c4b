"""The registration slip's code and what a host sees when checking it (SPEC §5, issue 4).

A slip code is 13 characters of Crockford's base32 (65 random bits): short enough to type from
paper, long enough that guessing one is hopeless (2^65 codes; lookups are also rate-limited).
It is shown in groups (``7KQ3-M9XD-2HWPA``); what a person types is read generously: lower
case, spaces and hyphens are accepted, and the letters Crockford's alphabet leaves out are read
as the digits they look like (O → 0, I and L → 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 13
BITS = LENGTH * 5
#: Bytes of randomness needed for one code (the surplus bits are dropped).
RANDOM_BYTES = (BITS + 7) // 8
_GROUPS = (4, 4, 5)
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_IGNORED = str.maketrans("", "", " -\u2010\u2011\u2012\u2013\u2014\t")


def slip_code_from(random_bytes: bytes) -> str:
    """A slip code from at least :data:`RANDOM_BYTES` random bytes (the caller draws them)."""
    if len(random_bytes) < RANDOM_BYTES:
        raise ValueError(f"a slip code needs {RANDOM_BYTES} random bytes")
    number = int.from_bytes(random_bytes[:RANDOM_BYTES], "big") >> (RANDOM_BYTES * 8 - BITS)
    chars = []
    for _ in range(LENGTH):
        chars.append(ALPHABET[number & 31])
        number >>= 5
    return "".join(reversed(chars))


def grouped(code: str) -> str:
    """``7KQ3M9XD2HWPA`` → ``7KQ3-M9XD-2HWPA`` (how a slip prints it)."""
    parts, start = [], 0
    for size in _GROUPS:
        parts.append(code[start : start + size])
        start += size
    return "-".join(parts)


def normalise(typed: str) -> str | None:
    """The code a person typed, in canonical form; None if it cannot be a slip code."""
    code = typed.translate(_IGNORED).upper().translate(_LOOK_ALIKES)
    if len(code) != LENGTH or any(char not in ALPHABET for char in code):
        return None
    return code


def initials(given_names: str, surname: str) -> str:
    """``Aziz Rustamovich``, ``Karimov`` → ``A. K.``: the first given name and the surname."""
    letters = [part.strip()[:1].upper() for part in (given_names, surname) if part.strip()]
    return " ".join(f"{letter}." for letter in letters)


@dataclass(frozen=True)
class HostView:
    """Everything a host sees when checking a slip: no name, no dates of birth, no reason."""

    valid: bool
    initials: str
    address: str
    valid_until: date | None


def is_valid_on(holds_the_place: bool, stay_to: date, today: date) -> bool:
    """A slip proves a registration while the registration holds the place and the stay has
    not ended."""
    return holds_the_place and today <= stay_to
