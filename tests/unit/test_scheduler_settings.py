"""The scheduler's lease and tick are settings (docs/operations.md, "The scheduler and its
lease"): 30 s and 5 s unless a test or a demo shortens them, never in production."""

from __future__ import annotations

import pytest

from amina.settings import Environment, Settings, load_settings


def test_the_lease_lasts_thirty_seconds_and_is_renewed_every_five_by_default() -> None:
    settings = Settings(env=Environment.test)
    assert settings.scheduler_lease_seconds == 30
    assert settings.scheduler_tick_seconds == 5


def test_a_test_server_may_shorten_the_lease_and_the_tick(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AMINA_SCHEDULER_LEASE_SECONDS", "3")
    monkeypatch.setenv("AMINA_SCHEDULER_TICK_SECONDS", "0.5")
    settings = load_settings(env="development")
    assert (settings.scheduler_lease_seconds, settings.scheduler_tick_seconds) == (3, 0.5)


def test_a_tick_as_long_as_the_lease_is_refused() -> None:
    with pytest.raises(ValueError, match="shorter than"):
        Settings(env=Environment.test, scheduler_lease_seconds=5, scheduler_tick_seconds=5)


def test_production_refuses_a_shortened_lease(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AMINA_SECRET_KEY", "a-real-secret")
    monkeypatch.setenv("AMINA_SCHEDULER_LEASE_SECONDS", "3")
    monkeypatch.setenv("AMINA_SCHEDULER_TICK_SECONDS", "1")
    with pytest.raises(ValueError, match="only outside production"):
        load_settings(env="production")
