"""The Clock port. Everything that needs "now" receives a Clock; nothing else reads time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved; for tests and demos."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._at += delta


class OffsetClock:
    """System time shifted by a fixed offset; lets a running server live in another week."""

    def __init__(self, offset: timedelta) -> None:
        self._offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset


def clock_from_spec(spec: str) -> Clock:
    """Parse 'system', 'fixed:<RFC 3339>' or 'offset:<+/-N>[d|h|m]'."""
    if spec == "system":
        return SystemClock()
    kind, _, value = spec.partition(":")
    if kind == "fixed":
        at = datetime.fromisoformat(value)
        return FixedClock(at)
    if kind == "offset":
        unit = value[-1]
        amount = float(value[:-1])
        units = {"d": "days", "h": "hours", "m": "minutes"}
        if unit not in units:
            raise ValueError(f"unknown offset unit in {spec!r}")
        return OffsetClock(timedelta(**{units[unit]: amount}))
    raise ValueError(f"unknown clock {spec!r}; use system, fixed:<time> or offset:<+Nd>")
