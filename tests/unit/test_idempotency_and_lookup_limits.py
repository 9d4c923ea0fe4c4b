"""Idempotency keys recognise the same request however it is spelled; the host lookup limit
counts per client within a sliding window and forgets old clients."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from amina.adapters.web.api.verification import SlidingWindowLimiter
from amina.services.errors import AminaError
from amina.services.idempotency import check_key, fingerprint

NOW = datetime(2025, 11, 5, 7, 0, tzinfo=UTC)


def test_the_same_json_value_has_the_same_fingerprint_whatever_its_key_order() -> None:
    one = {"address": {"lat": 55.75, "lon": 37.61}, "purpose": "work"}
    other = {"purpose": "work", "address": {"lon": 37.61, "lat": 55.75}}
    assert fingerprint(one) == fingerprint(other)
    assert fingerprint(one) != fingerprint({**one, "purpose": "study"})


@pytest.mark.parametrize("key", ["", "x" * 201, "line\nbreak"])
def test_an_empty_overlong_or_unprintable_key_is_refused(key: str) -> None:
    with pytest.raises(AminaError) as refused:
        check_key(key)
    assert refused.value.code == "idempotency_key_invalid"


def test_a_client_gets_30_lookups_per_10_minutes_then_waits_for_the_oldest_to_expire() -> None:
    limiter = SlidingWindowLimiter(30, timedelta(minutes=10))
    for second in range(30):
        assert limiter.hit("203.0.113.7", NOW + timedelta(seconds=second)) is None

    wait = limiter.hit("203.0.113.7", NOW + timedelta(seconds=60))

    assert wait == 540  # the first lookup leaves the window 10 minutes after it was made
    assert limiter.hit("198.51.100.1", NOW + timedelta(seconds=60)) is None  # others are free
    assert limiter.hit("203.0.113.7", NOW + timedelta(minutes=10, seconds=1)) is None


def test_the_limiter_forgets_the_least_recent_clients_beyond_its_size() -> None:
    limiter = SlidingWindowLimiter(1, timedelta(minutes=10), max_keys=2)
    limiter.hit("a", NOW)
    limiter.hit("b", NOW)
    limiter.hit("c", NOW)  # "a" is forgotten

    assert limiter.hit("a", NOW) is None
    assert limiter.hit("c", NOW) is not None
