"""The real clock: the only code in the product that reads the system time.

Everything else receives a `Clock` (amina.services.clock); ruff's banned-api rule (TID251) keeps
`datetime.now`, `datetime.utcnow` and `date.today` out of every other module.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from amina.services.clock import Clock, FixedClock, OffsetClock


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


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
        return OffsetClock(SystemClock(), timedelta(**{units[unit]: amount}))
    raise ValueError(f"unknown clock {spec!r}; use system, fixed:<time> or offset:<+Nd>")
