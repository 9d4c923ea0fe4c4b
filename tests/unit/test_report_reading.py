"""Reading report items (amina.adapters.web.api.report_body): one pass per item, field by field
in reading order, with the domain's rules — so a well-typed report is judged exactly as the
domain's ``rejection`` judges it, the first wrong field in reading order is the error (issue 9:
a later field's wrong type never hides an earlier field's wrong value), and an item is read the
same whatever batch it comes in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from amina.adapters.web.api.report_body import read_reports
from amina.domain.reports import LocationReport, rejection

GOOD: dict[str, Any] = {
    "client_id": "a",
    "device_time": "2025-11-05T10:00:00+03:00",
    "lat": 55.75,
    "lon": 37.61,
    "accuracy_m": 12,
    "speed_mps": None,
    "altitude_m": 151.0,
    "provider": "gps",
    "mocked": False,
}

VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-200, 200),
    st.floats(-20_000, 20_000, allow_nan=False),
    st.text(max_size=25),
    st.sampled_from(
        ["2025-11-05T10:00:00+03:00", "2025-11-05T10:00:00", "1969-12-31T23:00:00Z", "x"]
    ),
)


@st.composite
def items(draw: st.DrawFn) -> dict[str, Any]:
    item = dict(GOOD)
    for key in draw(st.sets(st.sampled_from(sorted(GOOD)), max_size=3)):
        if draw(st.booleans()):
            item[key] = draw(VALUES)
        else:
            item.pop(key)
    return item


def outcome(item: Any) -> tuple[str, Any]:
    """What the reader makes of one item: ("stored", the values) or ("rejected", code, field)."""
    batch = read_reports([item])
    if batch.rejected:
        [(_, _, error)] = batch.rejected
        return "rejected", (error.code, error.field)
    columns = batch.reports
    return "stored", tuple(
        column[0]
        for column in (
            columns.client_id,
            columns.device_time,
            columns.lat,
            columns.lon,
            columns.accuracy_m,
            columns.speed_mps,
            columns.altitude_m,
            columns.provider,
            columns.mocked,
        )
    )


def _well_typed(item: dict[str, Any]) -> LocationReport | None:
    """The item as a typed report, when every field has its type (values not judged)."""
    numbers = (int, float)
    try:
        at = datetime.fromisoformat(item["device_time"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (
        type(item.get("client_id")) is str
        and all(type(item.get(k)) in numbers for k in ("lat", "lon", "accuracy_m"))
        and all(
            item.get(k) is None or type(item[k]) in numbers for k in ("speed_mps", "altitude_m")
        )
        and (item.get("provider") is None or type(item["provider"]) is str)
        and (item.get("mocked") is None or type(item["mocked"]) is bool)
    ):
        return None
    return LocationReport(
        item["client_id"],
        at,
        float(item["lat"]),
        float(item["lon"]),
        float(item["accuracy_m"]),
        None if item.get("speed_mps") is None else float(item["speed_mps"]),
        None if item.get("altitude_m") is None else float(item["altitude_m"]),
        item.get("provider"),
        bool(item.get("mocked")),
    )


@settings(deadline=None)
@given(items())
def test_a_well_typed_item_is_judged_exactly_by_the_domain_rule(item: dict[str, Any]) -> None:
    typed = _well_typed(item)
    if typed is None:
        return
    refused = rejection(typed)
    read = outcome(item)
    if refused is None:
        assert read == (
            "stored",
            (
                typed.client_id,
                typed.device_time,
                typed.lat,
                typed.lon,
                typed.accuracy_m,
                typed.speed_mps,
                typed.altitude_m,
                typed.provider,
                typed.mocked,
            ),
        )
    else:
        assert read == ("rejected", (refused.code, refused.field))


@settings(deadline=None)
@given(st.lists(items(), min_size=1, max_size=6))
def test_an_item_is_read_the_same_alone_or_in_a_batch(batch: list[Any]) -> None:
    together = read_reports(batch)
    for position, item in enumerate(batch):
        alone = outcome(item)
        if position in together.positions:
            assert alone[0] == "stored"
            assert together.reports.client_id[together.positions.index(position)] == alone[1][0]
        else:
            [(_, _, error)] = [r for r in together.rejected if r[0] == position]
            assert alone == ("rejected", (error.code, error.field))
    assert sorted(together.positions + [r[0] for r in together.rejected]) == list(range(len(batch)))


def test_the_first_wrong_field_in_reading_order_is_the_error() -> None:
    cases = [
        ({"client_id": "x" * 65, "lat": "north"}, ("client_id_invalid", "client_id")),
        (
            {"device_time": "2025-11-05T09:00:00", "lon": "east"},
            ("device_time_without_offset", "device_time"),
        ),
        (
            {"device_time": "1969-07-20T20:17:00Z", "accuracy_m": "good"},
            ("device_time_invalid", "device_time"),
        ),
        ({"provider": "p" * 21, "mocked": "yes"}, ("text_invalid", "provider")),
        # the number ranges come after every field's type
        ({"lat": 91.0, "mocked": "yes"}, ("boolean_invalid", "mocked")),
        ({"lat": 91.0, "speed_mps": -1.0}, ("coordinates_out_of_range", "lat")),
        ({"speed_mps": 500.0, "altitude_m": "high"}, ("number_invalid", "altitude_m")),
    ]
    for changes, expected in cases:
        assert outcome({**GOOD, **changes}) == ("rejected", expected), changes
