"""The Clock port. Everything that needs "now" receives a Clock; nothing else reads time.

The one clock that reads the system time lives in `amina.adapters.clock`; the clocks here only
stand still (`FixedClock`) or shift another clock (`OffsetClock`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


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
    """Another clock shifted by a fixed offset; lets a running server live in another week."""

    def __init__(self, base: Clock, offset: timedelta) -> None:
        self._base = base
        self._offset = offset

    def now(self) -> datetime:
        return self._base.now() + self._offset
