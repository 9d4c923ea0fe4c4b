"""Location reports: validation, quality flags and the daily summary (SPEC §6).

Flags describe a report's quality; they never drop a report and never trigger a sanction by
themselves. All thresholds come from policy parameters.

Each rule of classification and summary is written twice, side by side, and the two forms are
proved equal to the last bit by a property test over random reports
(tests/unit/test_report_paths.py), so that a change to one form that forgets the other fails:

* the **array path** (:func:`classify_arrays`, :func:`summarise_batch`): a batch at once with
  numpy and shapely 2, no Python loop over the points;
* the **scalar path** (:func:`classify_rows`, :func:`summarise_rows`): plain Python, one report
  after another. A phone that has just come back or just opened sends ONE report, and numpy on
  one-element arrays costs several times what plain Python does (BENCHMARKS.md, "No numpy for
  one row").

:func:`classify_columns` and :func:`summarise_columns` choose: batches of up to
:data:`SCALAR_BATCH_MAX` reports take the scalar path, larger ones the array path.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

import numpy as np
from numpy.typing import NDArray

from amina.domain.calendar import MOSCOW, moscow_date
from amina.domain.geo import RegionClassifier, distance_m, distance_one_m


class Flag(StrEnum):
    future_time = "future_time"
    too_old = "too_old"
    low_accuracy = "low_accuracy"
    impossible_speed = "impossible_speed"
    mocked = "mocked"
    outside_region = "outside_region"
    near_border = "near_border"
    far_from_address = "far_from_address"


FLAG_ORDER = tuple(Flag)


@dataclass(frozen=True)
class LocationReport:
    client_id: str
    device_time: datetime
    lat: float
    lon: float
    accuracy_m: float
    speed_mps: float | None = None
    altitude_m: float | None = None
    provider: str | None = None
    mocked: bool = False


# --- whether a report can be stored: the one definition (API.md "Location reports") ---------
#
# Each rule is one predicate (or one small function giving the error) below. The reader of the
# request body (amina.adapters.web.api.report_body) applies them in ONE pass over the items,
# field by field in the order the fields are read — client_id, device_time, then the types of
# lat, lon, accuracy_m, speed_mps, altitude_m, then provider, mocked — and the number ranges
# last, for all the items at once (:func:`numbers_valid`; :func:`number_rejection` names the
# error of an item they refuse): the first broken rule is the item's error. :func:`rejection`
# is the same order for a report already typed. The OpenAPI description of the body (the
# route's pydantic models) takes its bounds from the constants below.

CLIENT_ID_MIN_LENGTH = 1
CLIENT_ID_MAX_LENGTH = 64
PROVIDER_MAX_LENGTH = 20
APP_VERSION_MAX_LENGTH = 40
LAT_MIN, LAT_MAX = -90.0, 90.0
LON_MIN, LON_MAX = -180.0, 180.0
ACCURACY_MIN_M = 0.0
#: Device times outside these bounds cannot be a clock reading (they are rejected, not flagged).
EARLIEST_DEVICE_TIME = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_DEVICE_TIME = datetime(2100, 1, 1, tzinfo=UTC)
#: What a phone can truthfully say about its speed and height (metres per second, metres above
#: sea level): no negative speed (the web's Geolocation API gives null when it does not know),
#: nothing faster than an airliner's ground speed can plausibly be, no height below the Dead
#: Sea's shore or above a cruising airliner. A report with a value outside is rejected (code
#: ``number_out_of_range``), not stored; ``POST /api/v1/reports`` publishes the ranges in its
#: OpenAPI description.
MIN_SPEED_MPS = 0.0
MAX_SPEED_MPS = 400.0
MIN_ALTITUDE_M = -500.0
MAX_ALTITUDE_M = 15_000.0


@dataclass(frozen=True)
class Rejection:
    code: str
    field: str
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)


def client_id_valid(client_id: str) -> bool:
    return CLIENT_ID_MIN_LENGTH <= len(client_id) <= CLIENT_ID_MAX_LENGTH


def text_fits(value: str | None, limit: int) -> bool:
    return value is None or len(value) <= limit


def time_rejection(at: datetime, field_name: str) -> Rejection | None:
    """A time must carry its offset from UTC and be a possible clock reading."""
    if at.tzinfo is None:
        return Rejection("device_time_without_offset", field_name)
    if not EARLIEST_DEVICE_TIME <= at < LATEST_DEVICE_TIME:
        return Rejection("device_time_invalid", field_name)
    return None


# The number rules work on one number and on numpy arrays alike (NaN fails every comparison,
# so it is refused too).


def latitude_valid(lat: Any) -> Any:
    return (lat >= LAT_MIN) & (lat <= LAT_MAX)


def longitude_valid(lon: Any) -> Any:
    return (lon >= LON_MIN) & (lon <= LON_MAX)


def accuracy_valid(accuracy_m: Any) -> Any:
    return accuracy_m >= ACCURACY_MIN_M


def speed_in_range(speed_mps: Any) -> Any:
    return (speed_mps >= MIN_SPEED_MPS) & (speed_mps <= MAX_SPEED_MPS)


def altitude_in_range(altitude_m: Any) -> Any:
    return (altitude_m >= MIN_ALTITUDE_M) & (altitude_m <= MAX_ALTITUDE_M)


def text_rejection(field_name: str, limit: int) -> Rejection:
    """A text field that is not a text, or longer than ``limit``."""
    return Rejection("text_invalid", field_name, {"field": field_name, "limit": limit})


def number_rejection(
    lat: float,
    lon: float,
    accuracy_m: float,
    speed_mps: float | None = None,
    altitude_m: float | None = None,
) -> Rejection | None:
    """Why a report's numbers cannot be stored, or None: coordinates out of range are errors,
    not flags; then a negative accuracy, then an impossible speed or height."""
    if not latitude_valid(lat):
        return Rejection("coordinates_out_of_range", "lat")
    if not longitude_valid(lon):
        return Rejection("coordinates_out_of_range", "lon")
    if not accuracy_valid(accuracy_m):
        return Rejection("accuracy_invalid", "accuracy_m")
    if speed_mps is not None and not speed_in_range(speed_mps):
        return _out_of_range("speed_mps", MIN_SPEED_MPS, MAX_SPEED_MPS)
    if altitude_m is not None and not altitude_in_range(altitude_m):
        return _out_of_range("altitude_m", MIN_ALTITUDE_M, MAX_ALTITUDE_M)
    return None


def numbers_valid(
    lat: NDArray[np.float64],
    lon: NDArray[np.float64],
    accuracy_m: NDArray[np.float64],
    speed_mps: NDArray[np.float64],
    altitude_m: NDArray[np.float64],
) -> NDArray[np.bool_]:
    """:func:`number_rejection` for a batch at once (an absent speed or height given as NaN):
    True where it finds nothing wrong."""
    valid: NDArray[np.bool_] = (
        latitude_valid(lat)
        & longitude_valid(lon)
        & accuracy_valid(accuracy_m)
        & (np.isnan(speed_mps) | speed_in_range(speed_mps))
        & (np.isnan(altitude_m) | altitude_in_range(altitude_m))
    )
    return valid


def rejection(report: LocationReport) -> Rejection | None:
    """Why a typed report cannot be stored, or None: the rules in reading order (above)."""
    if not client_id_valid(report.client_id):
        return Rejection("client_id_invalid", "client_id")
    refused = time_rejection(report.device_time, "device_time")
    if refused is not None:
        return refused
    if not text_fits(report.provider, PROVIDER_MAX_LENGTH):
        return text_rejection("provider", PROVIDER_MAX_LENGTH)
    return number_rejection(
        report.lat, report.lon, report.accuracy_m, report.speed_mps, report.altitude_m
    )


def _out_of_range(field_name: str, low: float, high: float) -> Rejection:
    return Rejection(
        "number_out_of_range", field_name, {"field": field_name, "min": low, "max": high}
    )


# --- when a stored report counts: the one definition ("last seen", daily summaries) -------------


def counted_at(device_time: datetime, received_at: datetime) -> datetime:
    """When a stored report counts for compliance — as the person's latest report ("last
    seen") and for the Moscow day whose summary it joins: the earlier of its device time and
    its arrival at the server. A report flagged ``future_time`` (the phone's clock ahead of the
    arrival by more than the tolerance) therefore counts at its arrival, and so does any report
    whose device time is after its arrival: a phone with a wrong clock, or one report dated
    2099, cannot keep a person "seen" after the day it actually arrived (issue 10).

    :func:`counted_seconds` is the same rule for a batch in POSIX seconds; the SQL that keeps
    the "last report" row compares the times this rule gives."""
    return device_time if device_time <= received_at else received_at


def counted_seconds(
    device_seconds: NDArray[np.float64], received_at: datetime
) -> NDArray[np.float64]:
    """:func:`counted_at` for a batch: device times in POSIX seconds, each no later than the
    arrival."""
    return np.minimum(device_seconds, received_at.timestamp())


def latest_counted(
    device_seconds: Sequence[float], positions: Sequence[int], received_at: datetime
) -> int:
    """Of the reports at ``positions`` (device times in POSIX seconds), the position of the one
    that counts latest (:func:`counted_at`; the first of equals): the person's new "last
    report"."""
    now = received_at.timestamp()
    return max(positions, key=lambda i: min(device_seconds[i], now))


@dataclass(frozen=True)
class Thresholds:
    future_tolerance: timedelta
    too_old: timedelta
    low_accuracy_m: float
    impossible_speed_mps: float
    far_from_address_m: float

    @classmethod
    def from_parameters(cls, parameters: Mapping[str, Any]) -> Thresholds:
        return cls(
            future_tolerance=timedelta(minutes=parameters["future_tolerance_minutes"]),
            too_old=timedelta(hours=parameters["too_old_hours"]),
            low_accuracy_m=float(parameters["low_accuracy_m"]),
            impossible_speed_mps=float(parameters["impossible_speed_mps"]),
            far_from_address_m=float(parameters["far_from_address_m"]),
        )


@dataclass(frozen=True)
class PreviousFix:
    device_time: datetime
    lat: float
    lon: float


@dataclass(frozen=True)
class Classified:
    region: str | None
    flags: tuple[Flag, ...]
    distance_to_address_m: float | None


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

#: Bit ``i`` of a report's flags bitmask is ``FLAG_ORDER[i]`` (the stored form of the flags).
FLAG_BITS: Mapping[Flag, int] = {flag: 1 << i for i, flag in enumerate(FLAG_ORDER)}
#: Every bitmask → its flags, in FLAG_ORDER (a table: decoding costs one look-up per report).
FLAGS_OF_BITS: tuple[tuple[Flag, ...], ...] = tuple(
    tuple(flag for flag in FLAG_ORDER if bits & FLAG_BITS[flag])
    for bits in range(1 << len(FLAG_ORDER))
)


@dataclass(frozen=True)
class ClassifiedBatch:
    """The classification of a batch as arrays, one element per report (in the order given)."""

    regions: list[str | None]
    flags: NDArray[np.int64]  # bitmask per report (FLAG_BITS)
    distance_to_address_m: NDArray[np.float64]  # NaN without a registered address


def classify_arrays(
    lat: NDArray[np.float64],
    lon: NDArray[np.float64],
    accuracy_m: NDArray[np.float64],
    device_time: NDArray[np.float64],
    mocked: NDArray[np.bool_],
    *,
    received_at: datetime,
    thresholds: Thresholds,
    classifier: RegionClassifier,
    address: tuple[float, float] | None,
    previous: PreviousFix | None,
) -> ClassifiedBatch:
    """Classify the valid reports of one device given as arrays (``device_time`` in POSIX
    seconds), all at once: no Python loop over the reports.

    ``impossible_speed`` compares each report with the one before it in device-time order,
    within the batch and with ``previous`` (the device's latest stored fix before the batch).
    """
    n = len(lat)
    if n == 0:
        return ClassifiedBatch([], np.zeros(0, dtype=np.int64), np.zeros(0))
    t = device_time
    now = received_at.timestamp()

    regions, near = classifier.classify_many(lat, lon)
    future = t > now + thresholds.future_tolerance.total_seconds()
    old = t < now - thresholds.too_old.total_seconds()
    low = accuracy_m > thresholds.low_accuracy_m

    if address is not None:
        to_address = distance_m(lat, lon, address[0], address[1])
        far = to_address > thresholds.far_from_address_m
    else:
        to_address = np.full(n, np.nan)
        far = np.zeros(n, dtype=bool)

    # impossible speed: sort by device time, prepend the previous fix, compare neighbours
    order = np.argsort(t, kind="stable")
    s_lat, s_lon, s_t = lat[order], lon[order], t[order]
    if previous is not None:
        s_lat = np.concatenate(([previous.lat], s_lat))
        s_lon = np.concatenate(([previous.lon], s_lon))
        s_t = np.concatenate(([previous.device_time.timestamp()], s_t))
    step = distance_m(s_lat[:-1], s_lon[:-1], s_lat[1:], s_lon[1:])
    elapsed = np.maximum(s_t[1:] - s_t[:-1], 1.0)
    too_fast_sorted = (step / elapsed) > thresholds.impossible_speed_mps
    if previous is None:
        too_fast_sorted = np.concatenate(([False], too_fast_sorted))
    too_fast = np.zeros(n, dtype=bool)
    too_fast[order] = too_fast_sorted

    outside = np.fromiter((r is None for r in regions), dtype=bool, count=n)
    bits = np.zeros(n, dtype=np.int64)
    for flag, raised in (
        (Flag.future_time, future),
        (Flag.too_old, old),
        (Flag.low_accuracy, low),
        (Flag.impossible_speed, too_fast),
        (Flag.mocked, mocked),
        (Flag.outside_region, outside),
        (Flag.near_border, near),
        (Flag.far_from_address, far),
    ):
        bits |= raised.astype(np.int64) * FLAG_BITS[flag]
    return ClassifiedBatch(regions, bits, to_address)


# each flag's bit as a plain int: an enum member's hash is a Python call, too dear per report
(
    _FUTURE_TIME,
    _TOO_OLD,
    _LOW_ACCURACY,
    _IMPOSSIBLE_SPEED,
    _MOCKED,
    _OUTSIDE_REGION,
    _NEAR_BORDER,
    _FAR_FROM_ADDRESS,
) = (
    FLAG_BITS[Flag.future_time],
    FLAG_BITS[Flag.too_old],
    FLAG_BITS[Flag.low_accuracy],
    FLAG_BITS[Flag.impossible_speed],
    FLAG_BITS[Flag.mocked],
    FLAG_BITS[Flag.outside_region],
    FLAG_BITS[Flag.near_border],
    FLAG_BITS[Flag.far_from_address],
)
#: Each flag's name and bit, in FLAG_ORDER.
_NAMED_BITS = tuple((flag.value, FLAG_BITS[flag]) for flag in FLAG_ORDER)

#: Batches of up to this many reports are classified and summarised by the scalar path
#: (BENCHMARKS.md, "No numpy for one row": where the two paths cross).
SCALAR_BATCH_MAX = 8


@dataclass(frozen=True)
class ClassifiedRows:
    """The classification of a batch as plain lists, one element per report (in the order
    given), as the store takes them: region, flags bitmask (FLAG_BITS), distance to the
    registered address (None without one). ``arrays``: the same as arrays when the batch took
    the array path (its summary is then computed at once too)."""

    regions: list[str | None]
    flags: list[int]
    distance_to_address_m: list[float | None]
    arrays: ClassifiedBatch | None = None


def rows_of(batch: ClassifiedBatch) -> ClassifiedRows:
    """The array path's answer as lists (an unknown distance: None instead of NaN)."""
    return ClassifiedRows(
        batch.regions,
        batch.flags.tolist(),
        [
            None if d != d else d  # noqa: PLR0124 (d != d: NaN, no call per item)
            for d in batch.distance_to_address_m.tolist()
        ],
        batch,
    )


def classify_rows(
    lat: Sequence[float],
    lon: Sequence[float],
    accuracy_m: Sequence[float],
    device_time: Sequence[float],
    mocked: Sequence[bool],
    *,
    received_at: datetime,
    thresholds: Thresholds,
    classifier: RegionClassifier,
    address: tuple[float, float] | None,
    previous: PreviousFix | None,
) -> ClassifiedRows:
    """:func:`classify_arrays` one report after another in plain Python (the scalar path, for
    small batches): the same rules, the same comparisons in the same order, the same answers
    to the last bit."""
    n = len(lat)
    now = received_at.timestamp()
    future_after = now + thresholds.future_tolerance.total_seconds()
    old_before = now - thresholds.too_old.total_seconds()

    # impossible speed: in device-time order (a stable sort, as argsort's), each report against
    # the one before it, the first against the previous fix
    too_fast = [False] * n
    before = (
        None if previous is None else (previous.lat, previous.lon, previous.device_time.timestamp())
    )
    for i in sorted(range(n), key=device_time.__getitem__):
        if before is not None:
            step = distance_one_m(before[0], before[1], lat[i], lon[i])
            elapsed = max(device_time[i] - before[2], 1.0)
            too_fast[i] = step / elapsed > thresholds.impossible_speed_mps
        before = (lat[i], lon[i], device_time[i])

    regions: list[str | None] = []
    flags: list[int] = []
    distances: list[float | None] = []
    for i in range(n):
        region, near = classifier.classify_one(lat[i], lon[i])
        t = device_time[i]
        distance: float | None = None
        far = False
        if address is not None:
            to_address = distance_one_m(lat[i], lon[i], address[0], address[1])
            far = to_address > thresholds.far_from_address_m
            if to_address == to_address:  # noqa: PLR0124 (not NaN)
                distance = to_address
        bits = (
            (t > future_after) * _FUTURE_TIME
            | (t < old_before) * _TOO_OLD
            | (accuracy_m[i] > thresholds.low_accuracy_m) * _LOW_ACCURACY
            | too_fast[i] * _IMPOSSIBLE_SPEED
            | bool(mocked[i]) * _MOCKED
            | (region is None) * _OUTSIDE_REGION
            | near * _NEAR_BORDER
            | far * _FAR_FROM_ADDRESS
        )
        regions.append(region)
        flags.append(bits)
        distances.append(distance)
    return ClassifiedRows(regions, flags, distances)


def classify_columns(
    lat: Sequence[float],
    lon: Sequence[float],
    accuracy_m: Sequence[float],
    device_time: Sequence[float],
    mocked: Sequence[bool],
    *,
    received_at: datetime,
    thresholds: Thresholds,
    classifier: RegionClassifier,
    address: tuple[float, float] | None,
    previous: PreviousFix | None,
) -> ClassifiedRows:
    """Classify the valid reports of one device given column by column (``device_time`` in
    POSIX seconds): up to :data:`SCALAR_BATCH_MAX` reports by :func:`classify_rows`, more by
    :func:`classify_arrays`."""
    if len(lat) <= SCALAR_BATCH_MAX:
        return classify_rows(
            lat,
            lon,
            accuracy_m,
            device_time,
            mocked,
            received_at=received_at,
            thresholds=thresholds,
            classifier=classifier,
            address=address,
            previous=previous,
        )
    return rows_of(
        classify_arrays(
            np.array(lat, dtype=np.float64),
            np.array(lon, dtype=np.float64),
            np.array(accuracy_m, dtype=np.float64),
            np.array(device_time, dtype=np.float64),
            np.array(mocked, dtype=bool),
            received_at=received_at,
            thresholds=thresholds,
            classifier=classifier,
            address=address,
            previous=previous,
        )
    )


def classify_batch(
    reports: Sequence[LocationReport],
    *,
    received_at: datetime,
    thresholds: Thresholds,
    classifier: RegionClassifier,
    address: tuple[float, float] | None,
    previous: PreviousFix | None,
) -> list[Classified]:
    """Classify valid reports of one device, in the order given (see :func:`classify_arrays`)."""
    n = len(reports)
    if n == 0:
        return []
    batch = classify_arrays(
        np.fromiter((r.lat for r in reports), dtype=np.float64, count=n),
        np.fromiter((r.lon for r in reports), dtype=np.float64, count=n),
        np.fromiter((r.accuracy_m for r in reports), dtype=np.float64, count=n),
        np.fromiter((r.device_time.timestamp() for r in reports), dtype=np.float64, count=n),
        np.fromiter((r.mocked for r in reports), dtype=bool, count=n),
        received_at=received_at,
        thresholds=thresholds,
        classifier=classifier,
        address=address,
        previous=previous,
    )
    return [
        Classified(
            batch.regions[i],
            FLAGS_OF_BITS[int(bits)],
            None if np.isnan(distance) else float(distance),
        )
        for i, (bits, distance) in enumerate(
            zip(batch.flags, batch.distance_to_address_m, strict=True)
        )
    ]


@dataclass
class DailySummary:
    """What the rules and officers use: one row per person and Moscow calendar day."""

    day: date
    reports: int = 0
    inside_region: int = 0
    near_address: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None
    flag_counts: dict[str, int] = field(default_factory=dict)

    @property
    def any_inside_region(self) -> bool:
        return self.inside_region > 0

    @property
    def any_near_address(self) -> bool:
        return self.near_address > 0


def summarise(
    reports: Sequence[LocationReport],
    classified: Sequence[Classified],
    *,
    received_at: datetime,
) -> dict[date, DailySummary]:
    """Per Moscow calendar day, the summary of these reports (arrived at ``received_at``)."""
    if not reports:
        return {}
    bits = np.fromiter(
        (sum(FLAG_BITS[f] for f in c.flags) for c in classified), dtype=np.int64, count=len(reports)
    )
    distance = np.array(
        [np.nan if c.distance_to_address_m is None else c.distance_to_address_m for c in classified]
    )
    batch = ClassifiedBatch([c.region for c in classified], bits, distance)
    return summarise_batch(
        [r.device_time for r in reports], batch, range(len(reports)), received_at=received_at
    )


def summarise_batch(
    device_times: Sequence[datetime],
    batch: ClassifiedBatch,
    positions: Sequence[int],
    *,
    received_at: datetime,
    device_seconds: NDArray[np.float64] | None = None,
) -> dict[date, DailySummary]:
    """Per Moscow calendar day, the summary of the reports of ``batch`` at ``positions``
    (e.g. the ones actually stored), each counted when :func:`counted_at` says (a report from
    the future joins the day it arrived): how many, how many inside a region, how many near the
    registered address (a distance known and not ``far_from_address``), the first and last
    counted time, and how many carried each flag. Vectorised: numpy sums per day, no loop over
    reports (``device_seconds``: the device times in POSIX seconds, if already known)."""
    if len(positions) == 0:
        return {}
    chosen = np.asarray(positions, dtype=np.int64)
    if device_seconds is None:
        device_seconds = np.array([t.timestamp() for t in device_times])
    seconds = counted_seconds(device_seconds[chosen], received_at)
    picked = chosen.tolist()

    def counted(k: int) -> datetime:
        """The counted time of the ``k``-th chosen report."""
        return counted_at(device_times[picked[k]], received_at)

    flags = batch.flags[chosen]
    inside = np.fromiter(
        (batch.regions[i] is not None for i in chosen.tolist()), dtype=bool, count=len(chosen)
    )
    near = ~np.isnan(batch.distance_to_address_m[chosen]) & (
        flags & FLAG_BITS[Flag.far_from_address] == 0
    )
    # Moscow days: one UTC offset for the whole batch unless it spans an offset change
    first, last = counted(int(np.argmin(seconds))), counted(int(np.argmax(seconds)))
    offset = first.astimezone(MOSCOW).utcoffset()
    if offset is not None and offset == last.astimezone(MOSCOW).utcoffset():
        shifted = seconds + offset.total_seconds()
        ordinals = np.floor(shifted / 86400).astype(np.int64) + _EPOCH_ORDINAL
    else:
        ordinals = np.array(
            [moscow_date(counted(k)).toordinal() for k in range(len(picked))], dtype=np.int64
        )
    summaries: dict[date, DailySummary] = {}
    for ordinal in sorted(set(ordinals.tolist())):
        mask = ordinals == ordinal
        on_day = np.flatnonzero(mask)
        day_flags = flags[mask]
        day = date.fromordinal(ordinal)
        summaries[day] = DailySummary(
            day=day,
            reports=len(on_day),
            inside_region=int(inside[mask].sum()),
            near_address=int(near[mask].sum()),
            first_at=counted(int(on_day[np.argmin(seconds[mask])])),
            last_at=counted(int(on_day[np.argmax(seconds[mask])])),
            flag_counts={
                flag.value: count
                for flag in FLAG_ORDER
                if (count := int(np.count_nonzero(day_flags & FLAG_BITS[flag])))
            },
        )
    return summaries


def summarise_rows(
    device_times: Sequence[datetime],
    rows: ClassifiedRows,
    positions: Sequence[int],
    *,
    received_at: datetime,
    device_seconds: Sequence[float],
) -> dict[date, DailySummary]:
    """:func:`summarise_batch` one report after another in plain Python (the scalar path, for
    small batches): the same days, counts and times, the same report chosen among equals."""
    if len(positions) == 0:
        return {}
    now = received_at.timestamp()
    picked = list(positions)
    # counted_at in POSIX seconds (as counted_seconds)
    seconds = [min(device_seconds[i], now) for i in picked]
    chosen = range(len(picked))

    def counted(k: int) -> datetime:
        """The counted time of the ``k``-th chosen report."""
        return counted_at(device_times[picked[k]], received_at)

    first = counted(min(chosen, key=seconds.__getitem__))
    last = counted(max(chosen, key=seconds.__getitem__))
    offset = first.astimezone(MOSCOW).utcoffset()
    if offset is not None and offset == last.astimezone(MOSCOW).utcoffset():
        shift = offset.total_seconds()
        ordinals = [math.floor((s + shift) / 86400) + _EPOCH_ORDINAL for s in seconds]
    else:
        ordinals = [moscow_date(counted(k)).toordinal() for k in chosen]
    regions, flags, distances = rows.regions, rows.flags, rows.distance_to_address_m
    summaries: dict[date, DailySummary] = {}
    for ordinal in sorted(set(ordinals)):
        on_day = [k for k in chosen if ordinals[k] == ordinal]
        inside = near = raised = 0
        for k in on_day:
            i = picked[k]
            bits = flags[i]
            raised |= bits
            inside += regions[i] is not None
            near += distances[i] is not None and not bits & _FAR_FROM_ADDRESS
        day = date.fromordinal(ordinal)
        summaries[day] = DailySummary(
            day=day,
            reports=len(on_day),
            inside_region=inside,
            near_address=near,
            first_at=counted(min(on_day, key=seconds.__getitem__)),
            last_at=counted(max(on_day, key=seconds.__getitem__)),
            flag_counts={
                name: sum(1 for k in on_day if flags[picked[k]] & bit)
                for name, bit in _NAMED_BITS
                if raised & bit
            },
        )
    return summaries


def summarise_columns(
    device_times: Sequence[datetime],
    rows: ClassifiedRows,
    positions: Sequence[int],
    *,
    received_at: datetime,
    device_seconds: Sequence[float],
) -> dict[date, DailySummary]:
    """Per Moscow calendar day, the summary of the reports at ``positions`` (see
    :func:`summarise_batch`), by the path their classification took (:func:`classify_columns`)."""
    if rows.arrays is None:
        return summarise_rows(
            device_times, rows, positions, received_at=received_at, device_seconds=device_seconds
        )
    return summarise_batch(
        device_times,
        rows.arrays,
        positions,
        received_at=received_at,
        device_seconds=np.asarray(device_seconds, dtype=np.float64),
    )
