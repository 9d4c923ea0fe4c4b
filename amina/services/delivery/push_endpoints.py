"""The rule for push endpoints (``amina.domain.push_endpoints``) with name resolution: used
when a browser subscribes and again by the sender before every send (a name may resolve
elsewhere later)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from amina.domain.push_endpoints import (
    DEFAULT_PUSH_SERVICES,
    EndpointRefusal,
    endpoint_host,
    is_local_endpoint,
    is_public_address,
)
from amina.i18n import N_
from amina.services.errors import AminaError, ErrorKind, FieldError

#: host name → its addresses; raises OSError when the name does not resolve.
HostResolver = Callable[[str], Sequence[str]]


def resolves_nothing(host: str) -> Sequence[str]:
    """A resolver that knows no name: with it every endpoint is refused (a safe default)."""
    raise OSError(f"no resolver for {host}")


@dataclass(frozen=True)
class PushEndpoints:
    """Where push notifications may go: the allow-list (settings ``push_services``) and the
    resolver that turns a name into addresses (``adapters/notify/resolver.py``).
    ``local_origins`` (settings ``push_local_endpoints``) names a local push endpoint a test
    or a developer runs; the composition root leaves it empty in production."""

    resolve: HostResolver
    allowed_hosts: tuple[str, ...] = DEFAULT_PUSH_SERVICES
    local_origins: tuple[str, ...] = ()

    def refusal(self, endpoint: str) -> EndpointRefusal | None:
        """Why the server must not send to ``endpoint``, or None if it may."""
        if self.local_origins and is_local_endpoint(endpoint, self.local_origins):
            return None
        host, refusal = endpoint_host(endpoint, self.allowed_hosts)
        if host is None:
            return refusal
        try:
            addresses = list(self.resolve(host))
        except (OSError, UnicodeError):
            return EndpointRefusal.unresolvable
        if not addresses:
            return EndpointRefusal.unresolvable
        if not all(is_public_address(address) for address in addresses):
            return EndpointRefusal.private_address
        return None

    def check(self, endpoint: str) -> None:
        """Raise ``push_endpoint_refused`` (422) unless ``endpoint`` may be used."""
        if self.refusal(endpoint) is not None:
            raise push_endpoint_refused()


def push_endpoint_refused() -> AminaError:
    return AminaError(
        "push_endpoint_refused",
        ErrorKind.invalid,
        N_("This browser's notification service is not supported"),
        N_(
            "Notifications can be sent only through the push services of the common browsers. "
            "Messages still reach your inbox."
        ),
        errors=[
            FieldError(
                "endpoint",
                "push_endpoint_refused",
                N_("Not a push service this server sends to."),
            )
        ],
    )
