"""The scalar path (a phone's single report, plain Python) and the array path (a batch, numpy)
classify and summarise reports identically, to the last bit (amina.domain.reports).

Both are drawn over the same random reports: positions inside and outside the regions, within a
few hundred metres of a border or of the registered address, bad accuracy, clocks ahead and
reports too old, mocked fixes, jumps from the previous fix, several Moscow days and a Moscow
UTC-offset change. A change to one path that forgets the other fails here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from amina.adapters.external.boundaries import region_classifier
from amina.domain.calendar import MOSCOW
from amina.domain.geo import RegionClassifier
from amina.domain.policy import initial_policy
from amina.domain.reports import (
    FLAG_BITS,
    SCALAR_BATCH_MAX,
    ClassifiedRows,
    DailySummary,
    Flag,
    PreviousFix,
    Thresholds,
    classify_arrays,
    classify_rows,
    counted_at,
    latest_counted,
    rows_of,
    summarise_batch,
    summarise_rows,
)

THRESHOLDS = Thresholds.from_parameters(initial_policy().parameters)
CLASSIFIER = region_classifier()
HOME = (55.7512, 37.6184)  # Red Square
NOW = datetime.fromisoformat("2025-11-05T10:00:00+03:00")
#: Moscow moved from UTC+4 to UTC+3 at 2014-10-26 02:00 local (2014-10-25 22:00 UTC).
AFTER_OFFSET_CHANGE = datetime(2014, 10, 26, 1, 30, tzinfo=UTC)
#: Just after midnight in Moscow: the batch's reports fall on two days.
AFTER_MIDNIGHT = datetime.fromisoformat("2025-11-06T00:20:00+03:00")

#: Vertices of the region outlines (lon, lat): points near them are near a border.
OUTLINE = [(float(x), float(y)) for x, y in shapely.get_coordinates(CLASSIFIER._shapes).tolist()]

offsets = st.floats(-0.03, 0.03, allow_nan=False)
near_outline = st.builds(
    lambda vertex, dx, dy: (vertex[1] + dy, vertex[0] + dx),
    st.sampled_from(OUTLINE),
    offsets,
    offsets,
)
near_home = st.builds(lambda dy, dx: (HOME[0] + dy, HOME[1] + dx), offsets, offsets)
anywhere = st.tuples(st.floats(54.0, 57.5), st.floats(35.0, 40.5))
far_away = st.sampled_from([(56.8587, 35.9176), (54.5138, 36.2612), (-33.86, 151.21)])
places = st.one_of(near_outline, near_home, anywhere, far_away)

#: Seconds between the device time and the arrival: the thresholds themselves included.
AHEAD = THRESHOLDS.future_tolerance.total_seconds()
BEHIND = THRESHOLDS.too_old.total_seconds()
ages = st.one_of(
    st.floats(-2 * AHEAD, BEHIND + 3600, allow_nan=False),
    st.integers(0, 600).map(float),
    st.sampled_from([-AHEAD, -AHEAD - 1e-6, BEHIND, BEHIND + 1e-6, 0.0]),
    # from AFTER_OFFSET_CHANGE: 20:13-20:47 UTC the day before, a Moscow day later at UTC+4
    # than at UTC+3
    st.floats(17_000, 19_000),
)
#: A report a moment and a few dozen metres after the one before it (the impossible speed's
#: one-second floor on the time between two fixes).
steps = st.tuples(st.floats(-0.001, 0.001), st.floats(-0.001, 0.001), st.floats(-2, 2))
zones = st.sampled_from([UTC, timezone(timedelta(hours=3)), timezone(timedelta(hours=-5))])
accuracies = st.one_of(
    st.floats(0, 2 * THRESHOLDS.low_accuracy_m, allow_nan=False),
    st.sampled_from([THRESHOLDS.low_accuracy_m, THRESHOLDS.low_accuracy_m + 1e-9]),
)


@dataclass(frozen=True)
class Case:
    lat: list[float]
    lon: list[float]
    accuracy_m: list[float]
    device_times: list[datetime]
    mocked: list[bool]
    received_at: datetime
    address: tuple[float, float] | None
    previous: PreviousFix | None
    kept: list[int]  # the positions stored (the others: duplicates)

    @property
    def seconds(self) -> list[float]:
        return [t.timestamp() for t in self.device_times]


@st.composite
def cases(draw: st.DrawFn, max_size: int = 2 * SCALAR_BATCH_MAX) -> Case:
    received_at = draw(st.sampled_from([NOW, AFTER_OFFSET_CHANGE, AFTER_MIDNIGHT]))
    reports = draw(
        st.lists(
            st.tuples(places, accuracies, ages, zones, st.booleans()), min_size=1, max_size=max_size
        )
    )
    previous = None
    if draw(st.booleans()):
        (lat, lon), age = draw(places), draw(ages)
        previous = PreviousFix(received_at - timedelta(seconds=age + 60), lat, lon)
    for i in range(1, len(reports)):
        if draw(st.booleans()):
            (lat, lon), _, age, *rest = reports[i - 1]
            dlat, dlon, dt = draw(steps)
            reports[i] = ((lat + dlat, lon + dlon), reports[i][1], age + dt, *rest)
    kept = [i for i in range(len(reports)) if draw(st.booleans()) or i == 0]
    return Case(
        lat=[place[0] for place, *_ in reports],
        lon=[place[1] for place, *_ in reports],
        accuracy_m=[accuracy for _, accuracy, *_ in reports],
        device_times=[
            (received_at - timedelta(seconds=age)).astimezone(zone)
            for _, _, age, zone, _ in reports
        ],
        mocked=[mocked for *_, mocked in reports],
        received_at=received_at,
        address=draw(st.one_of(st.none(), st.just(HOME), places)),
        previous=previous,
        kept=kept,
    )


def by_scalar_path(case: Case) -> ClassifiedRows:
    return classify_rows(
        case.lat,
        case.lon,
        case.accuracy_m,
        case.seconds,
        case.mocked,
        received_at=case.received_at,
        thresholds=THRESHOLDS,
        classifier=CLASSIFIER,
        address=case.address,
        previous=case.previous,
    )


def by_array_path(case: Case) -> ClassifiedRows:
    return rows_of(
        classify_arrays(
            np.array(case.lat),
            np.array(case.lon),
            np.array(case.accuracy_m),
            np.array(case.seconds),
            np.array(case.mocked, dtype=bool),
            received_at=case.received_at,
            thresholds=THRESHOLDS,
            classifier=CLASSIFIER,
            address=case.address,
            previous=case.previous,
        )
    )


def as_stored(days: dict[object, DailySummary]) -> list[tuple[object, ...]]:
    """Every field of each day, the times with their UTC offsets (the stored values)."""
    return [
        (
            day,
            s.reports,
            s.inside_region,
            s.near_address,
            s.first_at,
            s.first_at and s.first_at.utcoffset(),
            s.last_at,
            s.last_at and s.last_at.utcoffset(),
            s.flag_counts,
        )
        for day, s in days.items()
    ]


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_both_paths_classify_and_summarise_every_batch_alike(case: Case) -> None:
    scalar, arrays = by_scalar_path(case), by_array_path(case)
    assert scalar.regions == arrays.regions
    assert scalar.flags == arrays.flags
    assert scalar.distance_to_address_m == arrays.distance_to_address_m

    days = summarise_rows(
        case.device_times,
        scalar,
        case.kept,
        received_at=case.received_at,
        device_seconds=case.seconds,
    )
    assert arrays.arrays is not None
    days_at_once = summarise_batch(
        case.device_times,
        arrays.arrays,
        case.kept,
        received_at=case.received_at,
        device_seconds=np.array(case.seconds),
    )
    assert as_stored(days) == as_stored(days_at_once)

    # the new "last report" is the latest of the last day's summary
    latest = latest_counted(case.seconds, case.kept, case.received_at)
    assert counted_at(case.device_times[latest], case.received_at) == days[max(days)].last_at


#: Two regions that overlap (the shipped ones do not): the last one named wins in both paths.
OVERLAPPING = RegionClassifier(
    {"WEST": shapely.box(37.0, 55.5, 37.8, 56.0), "EAST": shapely.box(37.5, 55.6, 38.3, 56.1)},
    border_margin_m=1000.0,
)


@given(st.floats(55.4, 56.2), st.floats(36.9, 38.4))
def test_one_point_falls_in_the_same_region_as_in_a_batch_where_regions_overlap(
    lat: float, lon: float
) -> None:
    regions, near = OVERLAPPING.classify_many([lat], [lon])
    assert OVERLAPPING.classify_one(lat, lon) == (regions[0], bool(near[0]))


def raises(flag: Flag):  # type: ignore[no-untyped-def]
    return lambda case: any(bits & FLAG_BITS[flag] for bits in by_scalar_path(case).flags)


def spans_two_days(case: Case) -> bool:
    counted = {counted_at(case.device_times[i], case.received_at) for i in case.kept}
    return len({t.astimezone(MOSCOW).date() for t in counted}) > 1


def spans_an_offset_change(case: Case) -> bool:
    counted = {counted_at(case.device_times[i], case.received_at) for i in case.kept}
    return len({t.astimezone(MOSCOW).utcoffset() for t in counted}) > 1


class Found(Exception):
    pass


@pytest.mark.parametrize(
    "situation",
    [*(raises(flag) for flag in Flag), spans_two_days, spans_an_offset_change],
    ids=[*(flag.value for flag in Flag), "two_days", "offset_change"],
)
def test_the_random_reports_reach_every_flag_and_every_kind_of_day(situation) -> None:  # type: ignore[no-untyped-def]
    """The property above is only as good as its reports: each flag, and each way of cutting
    a batch into Moscow days, is found among them (stopping at the first: no shrinking)."""

    @settings(max_examples=2000, database=None, phases=[Phase.generate])
    @given(cases(max_size=4))
    def look(case: Case) -> None:
        if situation(case):
            raise Found

    with pytest.raises(Found):
        look()
