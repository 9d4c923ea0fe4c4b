"""A local push endpoint (the end-to-end test's receiver) is allowed only when a development
or test setting names it; production refuses it whatever the settings say, and the allow-list
of push services is unchanged for everything else (issue 13, point 7; issue 10, point 5)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from amina.bootstrap import _push_endpoints
from amina.domain.push_endpoints import EndpointRefusal
from amina.settings import Environment, Settings, load_settings

LOCAL = "http://127.0.0.1:8765"
ENDPOINT = LOCAL + "/push/abc"


def public(_host: str) -> Sequence[str]:
    return ["142.250.74.10"]


def settings(env: Environment, local: list[str]) -> Settings:
    return Settings(env=env, push_local_endpoints=local)


def test_a_test_server_sends_to_the_local_endpoint_it_names() -> None:
    endpoints = _push_endpoints(settings(Environment.test, [LOCAL]), public)
    assert endpoints.refusal(ENDPOINT) is None


def test_only_that_origin_other_local_addresses_stay_refused() -> None:
    endpoints = _push_endpoints(settings(Environment.development, [LOCAL]), public)
    assert endpoints.refusal("http://127.0.0.1:8766/push/abc") is EndpointRefusal.not_https
    assert endpoints.refusal("https://127.0.0.1:8765/push/abc") is EndpointRefusal.ip_literal
    assert endpoints.refusal("http://localhost:8765/push/abc") is EndpointRefusal.not_https


def test_without_the_setting_the_local_endpoint_is_refused() -> None:
    endpoints = _push_endpoints(settings(Environment.test, []), public)
    assert endpoints.refusal(ENDPOINT) is EndpointRefusal.not_https


def test_production_refuses_the_local_endpoint_even_when_the_setting_names_it() -> None:
    endpoints = _push_endpoints(settings(Environment.production, [LOCAL]), public)
    assert endpoints.refusal(ENDPOINT) is EndpointRefusal.not_https


def test_production_will_not_start_with_a_local_push_endpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AMINA_ENV", "production")
    monkeypatch.setenv("AMINA_PUSH_LOCAL_ENDPOINTS", f'["{LOCAL}"]')
    with pytest.raises(ValueError, match="only outside production"):
        load_settings()
