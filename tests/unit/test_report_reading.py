"""Reading report items: the batch-at-once check used for whole valid batches accepts exactly
what the item-by-item check accepts (the JSON reader for shapes, the domain's rule for
values), with the same values — so a report is never stored (or refused) differently because
of the batch it came in."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from amina.adapters.web.api.report_body import read_report
from amina.domain.reports import LocationReport, rejection
from amina.services.reports.ingest import _all_valid

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
    st.floats(-200, 200, allow_nan=False),
    st.text(max_size=25),
    st.sampled_from(
        ["2025-11-05T10:00:00+03:00", "2025-11-05T10:00:00", "1969-12-31T23:00:00Z", "x"]
    ),
)


@st.composite
def items(draw: st.DrawFn) -> dict[str, Any]:
    item = dict(GOOD)
    for key in draw(st.sets(st.sampled_from(sorted(GOOD)), max_size=2)):
        if draw(st.booleans()):
            item[key] = draw(VALUES)
        else:
            item.pop(key)
    return item


def _read_each(batch: list[Any]) -> list[LocationReport] | None:
    reports = [read_report(item) for item in batch]
    if any(not isinstance(r, LocationReport) or rejection(r) is not None for r in reports):
        return None
    if len({r.client_id for r in reports}) != len(reports):  # type: ignore[union-attr]
        return None
    return reports  # type: ignore[return-value]


@settings(deadline=None)  # the first call warms numpy up; correctness is what is tested
@given(st.lists(items(), min_size=1, max_size=5))
def test_the_batch_reader_agrees_with_the_item_reader(batch: list[Any]) -> None:
    for i, item in enumerate(batch):
        if "client_id" in item and item["client_id"] == "a":
            item["client_id"] = f"c{i}"
    one_by_one = _read_each(batch)
    at_once = _all_valid([read_report(item) for item in batch])
    if one_by_one is None:
        assert at_once is None
        return
    assert at_once is not None
    assert at_once.client_id == [r.client_id for r in one_by_one]
    assert at_once.device_time == [r.device_time for r in one_by_one]
    assert at_once.lat == [r.lat for r in one_by_one]
    assert at_once.accuracy_m == [r.accuracy_m for r in one_by_one]
    assert at_once.speed_mps == [r.speed_mps for r in one_by_one]
    assert at_once.provider == [r.provider for r in one_by_one]
    assert at_once.mocked == [r.mocked for r in one_by_one]


def _all_valid_body(items: list[Any]) -> Any:
    return _all_valid([read_report(item) for item in items])


def test_a_repeated_client_id_or_a_bad_item_sends_the_batch_item_by_item() -> None:
    assert _all_valid_body([GOOD, dict(GOOD)]) is None
    assert _all_valid_body([GOOD, {**GOOD, "client_id": "b", "lat": 91.0}]) is None
    assert _all_valid_body([GOOD, {**GOOD, "client_id": "b", "mocked": 1}]) is None
    assert _all_valid_body([GOOD, {**GOOD, "client_id": "b"}]) is not None
