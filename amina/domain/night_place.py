""" "Your phone is usually here at night — is this your home?" (issue 13).

A person registers by the address's words; the building's coordinates come later and only with
the person's consent. One way to offer them: where the phone spends the night. Each night
(01:00–05:00 Moscow time) with good fixes gives one point, the median of that night's fixes;
when the points of at least :data:`MIN_NIGHTS` of the last :data:`LOOKBACK_DAYS` nights lie
within :data:`RADIUS_M` of their median, that median is offered — as a question, never stored
without the person's "yes".

These numbers decide nothing about the person (no notice, no flag): they only decide when the
app asks a question, so they are constants here rather than policy parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from statistics import median

from amina.domain.calendar import MOSCOW
from amina.domain.geo import distance_m

#: Nights looked at, counted back from today.
LOOKBACK_DAYS = 14
#: Nights that must agree before the app asks.
MIN_NIGHTS = 3
#: How close a night's point must be to the usual place to agree with it, in metres.
RADIUS_M = 150.0
#: Fixes less precise than this say little about a building.
MAX_ACCURACY_M = 100.0
#: The hours of the night, Moscow time.
NIGHT_FROM = time(1, 0)
NIGHT_UNTIL = time(5, 0)


@dataclass(frozen=True)
class NightFix:
    device_time: datetime
    lat: float
    lon: float
    accuracy_m: float
    #: the report carried a quality flag that makes it unfit (mocked location, impossible
    #: speed, a time in the future)
    doubtful: bool = False


@dataclass(frozen=True)
class NightPlace:
    lat: float
    lon: float
    nights: int


def night_of(instant: datetime) -> date | None:
    """The Moscow date of the night ``instant`` falls in, or None outside the night hours."""
    local = instant.astimezone(MOSCOW)
    if NIGHT_FROM <= local.time() < NIGHT_UNTIL:
        return local.date()
    return None


def usual_night_place(fixes: Sequence[NightFix]) -> NightPlace | None:
    """Where the phone usually is at night, if enough nights agree (see the module)."""
    nights: dict[date, list[NightFix]] = {}
    for fix in fixes:
        night = night_of(fix.device_time)
        if night is None or fix.doubtful or fix.accuracy_m > MAX_ACCURACY_M:
            continue
        nights.setdefault(night, []).append(fix)
    points = [
        (median(f.lat for f in found), median(f.lon for f in found)) for found in nights.values()
    ]
    if len(points) < MIN_NIGHTS:
        return None
    lat = median(p[0] for p in points)
    lon = median(p[1] for p in points)
    agreeing = [p for p in points if float(distance_m(lat, lon, p[0], p[1])) <= RADIUS_M]
    if len(agreeing) < MIN_NIGHTS:
        return None
    return NightPlace(
        round(median(p[0] for p in agreeing), 6),
        round(median(p[1] for p in agreeing), 6),
        len(agreeing),
    )
