"""The filter of recent client ids (amina.domain.identity_filter): the same positions in every
process, and "not held" claimed only where the filter is complete."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from amina.domain.identity_filter import BEGINNING, EMPTY, IdentityFilter, mask_of, positions

NOW = datetime(2025, 11, 5, 7, 0, tzinfo=UTC)


def test_a_client_ids_positions_are_the_same_in_every_process() -> None:
    # BLAKE2b, not Python's salted hash(): a worker restarted must find what another stored
    assert sorted(positions("7f0c2a9e-report-1")) == [1270, 1467, 2150, 3588]


def test_a_client_id_is_ruled_out_only_where_the_filter_is_complete() -> None:
    stored = IdentityFilter(
        mask_of([positions("a"), positions("b")]), NOW - timedelta(days=1), None
    )
    assert stored.may_hold(positions("a"))
    assert stored.may_hold(positions("b"))
    assert not stored.may_hold(positions("c"))
    assert stored.covers(NOW - timedelta(hours=20))
    assert not stored.covers(NOW - timedelta(days=2))  # older than what the filter holds
    ahead = IdentityFilter(EMPTY, BEGINNING, NOW + timedelta(days=30))  # a clock far ahead left it
    assert not ahead.covers(NOW)
    assert IdentityFilter(EMPTY, BEGINNING, NOW).covers(NOW + timedelta(seconds=1))
