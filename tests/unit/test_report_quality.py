"""Quality flags and daily summaries of location reports (SPEC §6): flags never drop a report."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from amina.adapters.external.boundaries import region_classifier
from amina.domain.policy import initial_policy
from amina.domain.reports import (
    Flag,
    LocationReport,
    PreviousFix,
    Thresholds,
    classify_batch,
    counted_at,
    counted_seconds,
    rejection,
    summarise,
)

NOW = datetime.fromisoformat("2025-11-05T10:00:00+03:00")
THRESHOLDS = Thresholds.from_parameters(initial_policy().parameters)
HOME = (55.7512, 37.6184)  # Red Square


def report(
    minutes_ago: float = 5, lat: float = HOME[0], lon: float = HOME[1], **kw
) -> LocationReport:  # type: ignore[no-untyped-def]
    return LocationReport(
        client_id=kw.pop("client_id", f"c{minutes_ago}-{lat}-{lon}"),
        device_time=NOW - timedelta(minutes=minutes_ago),
        lat=lat,
        lon=lon,
        accuracy_m=kw.pop("accuracy_m", 12.0),
        **kw,
    )


def flags_of(
    *reports: LocationReport,
    previous: PreviousFix | None = None,
    address: tuple[float, float] | None = HOME,
) -> list[set[Flag]]:
    results = classify_batch(
        list(reports),
        received_at=NOW,
        thresholds=THRESHOLDS,
        classifier=region_classifier(),
        address=address,
        previous=previous,
    )
    return [set(r.flags) for r in results]


def test_a_good_fix_at_home_has_no_flags() -> None:
    assert flags_of(report()) == [set()]


def test_each_quality_problem_raises_its_own_flag() -> None:
    assert Flag.future_time in flags_of(report(minutes_ago=-30))[0]
    assert Flag.too_old in flags_of(report(minutes_ago=73 * 60))[0]
    assert Flag.low_accuracy in flags_of(report(accuracy_m=900))[0]
    assert Flag.mocked in flags_of(report(mocked=True))[0]
    tver = flags_of(report(lat=56.8587, lon=35.9176))[0]
    assert {Flag.outside_region, Flag.far_from_address} <= tver


def test_a_jump_to_tver_in_five_minutes_is_an_impossible_speed() -> None:
    here = report(minutes_ago=10, client_id="a")
    there = report(minutes_ago=5, lat=56.8587, lon=35.9176, client_id="b")
    # given out of order: the rule follows device time, not arrival order
    assert flags_of(there, here)[0] >= {Flag.impossible_speed}
    assert Flag.impossible_speed not in flags_of(there, here)[1]


def test_speed_is_checked_against_the_previous_stored_fix() -> None:
    previous = PreviousFix(NOW - timedelta(minutes=20), 56.8587, 35.9176)
    assert Flag.impossible_speed in flags_of(report(), previous=previous)[0]


def test_without_a_registered_address_nothing_is_far_from_it() -> None:
    assert flags_of(report(lat=56.8587, lon=35.9176), address=None)[0] == {Flag.outside_region}


def test_out_of_range_coordinates_are_rejected_not_flagged() -> None:
    assert rejection(report(lat=91.0)).code == "coordinates_out_of_range"  # type: ignore[union-attr]
    assert rejection(report(lon=-181.0)).field == "lon"  # type: ignore[union-attr]
    assert rejection(report()) is None


@given(
    st.lists(
        st.tuples(
            st.floats(54.0, 57.5),
            st.floats(35.0, 40.5),
            st.floats(0, 5000),
            st.integers(-100, 10000),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_every_valid_report_gets_exactly_one_classification(points) -> None:  # type: ignore[no-untyped-def]
    reports = [
        report(minutes_ago=m, lat=la, lon=lo, accuracy_m=a, client_id=str(i))
        for i, (la, lo, a, m) in enumerate(points)
    ]
    results = classify_batch(
        reports,
        received_at=NOW,
        thresholds=THRESHOLDS,
        classifier=region_classifier(),
        address=HOME,
        previous=None,
    )
    assert len(results) == len(reports)
    for result in results:
        assert (result.region is None) == (Flag.outside_region in result.flags)


def test_the_daily_summary_counts_per_moscow_day() -> None:
    late_evening = LocationReport(
        "x", datetime.fromisoformat("2025-11-04T20:30:00+00:00"), HOME[0], HOME[1], 10.0
    )  # 23:30 Moscow, 4 November
    after_midnight = LocationReport(
        "y", datetime.fromisoformat("2025-11-04T21:30:00+00:00"), HOME[0], HOME[1], 10.0
    )  # 00:30 Moscow, 5 November
    reports = [late_evening, after_midnight]
    results = classify_batch(
        reports,
        received_at=NOW,
        thresholds=THRESHOLDS,
        classifier=region_classifier(),
        address=HOME,
        previous=None,
    )
    days = summarise(reports, results, received_at=NOW)
    assert set(days) == {date(2025, 11, 4), date(2025, 11, 5)}
    assert days[date(2025, 11, 4)].reports == 1
    assert days[date(2025, 11, 5)].any_inside_region
    assert days[date(2025, 11, 5)].any_near_address


#: Aware UTC moments (hypothesis takes naive bounds and adds the zone itself).
moments = st.datetimes(
    min_value=datetime(2020, 1, 1),  # noqa: DTZ001 (naive bound, see above)
    max_value=datetime(2099, 12, 31),  # noqa: DTZ001 (naive bound, see above)
    timezones=st.just(UTC),
)


@given(device_time=moments, received_at=moments)
def test_a_report_never_counts_later_than_it_arrived(
    device_time: datetime, received_at: datetime
) -> None:
    counted = counted_at(device_time, received_at)
    assert counted <= received_at
    assert counted == (device_time if device_time <= received_at else received_at)
    # the batch form is the same rule
    [seconds] = counted_seconds(np.array([device_time.timestamp()]), received_at).tolist()
    assert seconds == counted.timestamp()


def test_a_report_flagged_future_time_counts_and_is_summarised_at_its_arrival() -> None:
    from_2099 = LocationReport("f", datetime(2099, 1, 1, 12, tzinfo=UTC), HOME[0], HOME[1], 10.0)
    [classified] = classify_batch(
        [from_2099],
        received_at=NOW,
        thresholds=THRESHOLDS,
        classifier=region_classifier(),
        address=HOME,
        previous=None,
    )
    assert Flag.future_time in classified.flags
    assert counted_at(from_2099.device_time, NOW) == NOW
    days = summarise([from_2099], [classified], received_at=NOW)
    assert list(days) == [date(2025, 11, 5)]
    assert days[date(2025, 11, 5)].first_at == days[date(2025, 11, 5)].last_at == NOW
