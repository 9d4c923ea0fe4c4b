"""The system's name resolver, for the push endpoint rule (``services/delivery/push_endpoints``)."""

from __future__ import annotations

import socket


def system_resolver(host: str) -> list[str]:
    """Every address ``host`` resolves to (IPv4 and IPv6); OSError if it does not resolve."""
    found = socket.getaddrinfo(host, 443, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in found})
