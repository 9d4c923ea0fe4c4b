"""Which push endpoints the server may contact: only the browser vendors' push services (or
the configured ones), over https, by name, resolving to public addresses (issue 10 point 5)."""

from __future__ import annotations

import pytest

from amina.domain.push_endpoints import EndpointRefusal
from amina.services.delivery.push_endpoints import PushEndpoints


def public(_host: str) -> list[str]:
    return ["142.250.74.10"]


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/abc:def",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
        "https://web.push.apple.com/QGx5",
        "https://wns2-par02p.notify.windows.com/w/?token=BQYAAA",
    ],
)
def test_the_browser_vendors_push_services_are_accepted(endpoint: str) -> None:
    assert PushEndpoints(public).refusal(endpoint) is None


@pytest.mark.parametrize(
    ("endpoint", "why"),
    [
        ("https://127.0.0.1:9443/push", EndpointRefusal.ip_literal),
        ("https://[::1]/push", EndpointRefusal.ip_literal),
        ("https://2130706433/push", EndpointRefusal.ip_literal),
        ("http://fcm.googleapis.com/fcm/send/x", EndpointRefusal.not_https),
        ("https://fcm.googleapis.com:8443/fcm/send/x", EndpointRefusal.not_a_push_service),
        ("https://user:pw@fcm.googleapis.com/fcm/send/x", EndpointRefusal.malformed),
        ("https://push.example.org/send/x", EndpointRefusal.not_a_push_service),
        ("https://fcm.googleapis.com.evil.example/x", EndpointRefusal.not_a_push_service),
        ("https://notify.windows.com.evil.example/x", EndpointRefusal.not_a_push_service),
        ("https://evilnotify.windows.com/x", EndpointRefusal.not_a_push_service),
    ],
)
def test_other_endpoints_are_refused_before_any_lookup(endpoint: str, why: str) -> None:
    def no_lookup(host: str) -> list[str]:
        raise AssertionError("looked up " + host)

    assert PushEndpoints(no_lookup).refusal(endpoint) == why


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.5",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "fd00::1",
        "::ffff:10.0.0.1",
        "0.0.0.0",  # noqa: S104 - an address to refuse, not one to bind
        "100.64.0.1",
    ],
)
def test_a_push_service_name_that_resolves_inside_the_network_is_refused(address: str) -> None:
    endpoints = PushEndpoints(lambda _host: ["142.250.74.10", address])
    assert endpoints.refusal("https://fcm.googleapis.com/fcm/send/x") == "private_address"


def test_a_name_that_does_not_resolve_is_refused() -> None:
    def nowhere(_host: str) -> list[str]:
        raise OSError("no such name")

    assert PushEndpoints(nowhere).refusal("https://fcm.googleapis.com/x") == "unresolvable"


def test_the_allow_list_is_configurable() -> None:
    endpoints = PushEndpoints(public, ("push.example.org",))
    assert endpoints.refusal("https://push.example.org/send/x") is None
    assert endpoints.refusal("https://fcm.googleapis.com/fcm/send/x") == "not_a_push_service"
