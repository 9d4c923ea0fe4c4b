"""Which web push endpoints the server may send to (SPEC §10: no requests where a client says).

A browser's push subscription names an endpoint URL at its vendor's push service; the outbox
later sends to it. So that nobody can make the server open connections inside its own network
with a made-up subscription, an endpoint is accepted only when it is ``https`` on the default
port, names a host (no IP literal, no user or password) on the allow-list of push services,
and the host resolves only to public addresses. The first checks are here; the resolution is
done by the caller (``services/delivery/push_endpoints.py``) and judged by
:func:`is_public_address`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from enum import StrEnum
from urllib.parse import urlsplit

#: The browser vendors' push services: Google (Chrome, Edge on Android, Opera…), Mozilla,
#: Apple (Safari), Microsoft (Edge on Windows). ``*.`` allows every name below the domain.
DEFAULT_PUSH_SERVICES: tuple[str, ...] = (
    "fcm.googleapis.com",
    "updates.push.services.mozilla.com",
    "web.push.apple.com",
    "*.notify.windows.com",
)


class EndpointRefusal(StrEnum):
    """Why an endpoint is refused (for logs and tests; the person sees one message)."""

    not_https = "not_https"
    malformed = "malformed"
    ip_literal = "ip_literal"
    not_a_push_service = "not_a_push_service"
    private_address = "private_address"
    unresolvable = "unresolvable"


def host_allowed(host: str, allowed: Iterable[str]) -> bool:
    """``host`` is on the allow-list: equal to an entry, or below a ``*.domain`` entry."""
    host = host.lower().rstrip(".")
    for listed in allowed:
        entry = listed.strip().lower().rstrip(".")
        if entry.startswith("*."):
            if host.endswith(entry[1:]) and len(host) > len(entry) - 1:
                return True
        elif host == entry:
            return True
    return False


def endpoint_host(
    endpoint: str, allowed: Iterable[str]
) -> tuple[str | None, EndpointRefusal | None]:
    """The endpoint's host name if it may be used (before resolving it), else why not."""
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return None, EndpointRefusal.malformed
    if parts.scheme.lower() != "https":
        return None, EndpointRefusal.not_https
    host = parts.hostname
    if not host or parts.username is not None or parts.password is not None:
        return None, EndpointRefusal.malformed
    if _is_ip_literal(host):
        return None, EndpointRefusal.ip_literal
    if port not in (None, 443):
        return None, EndpointRefusal.not_a_push_service
    if not host_allowed(host, allowed):
        return None, EndpointRefusal.not_a_push_service
    return host, None


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        # Forms like "2130706433" or "0x7f.1" are addresses to some resolvers: no digits-only
        # or hex-looking last label is a push service's name.
        last = host.rstrip(".").rsplit(".", 1)[-1]
        return last.isdigit() or last.lower().startswith("0x")
    return True


def is_public_address(address: str) -> bool:
    """A globally routable unicast address: not loopback, private, link-local, multicast,
    reserved or unspecified (IPv4-mapped IPv6 addresses are judged as IPv4)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def local_origin(url: str) -> tuple[str, str, int] | None:
    """``(scheme, host, port)`` of an ``http(s)://host:port`` URL, or None when malformed."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or (443 if scheme == "https" else 80)


def is_local_endpoint(endpoint: str, origins: Iterable[str]) -> bool:
    """``endpoint`` is at one of ``origins`` exactly (scheme, host and port): a local push
    endpoint that development and tests allow (settings ``push_local_endpoints``; never in
    production, where ``origins`` is always empty)."""
    found = local_origin(endpoint)
    return found is not None and any(found == local_origin(origin) for origin in origins)
