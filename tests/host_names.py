"""The name resolver of the tests (the ``host_names`` fixture in tests/conftest.py); its own
module because test modules cannot import from ``conftest``."""

from __future__ import annotations


class HostNames:
    """The name resolver of the tests (there is no network): every name resolves to a public
    address unless a test says otherwise, e.g. ``host_names.addresses["x"] = ["127.0.0.1"]``."""

    PUBLIC = "142.250.74.10"

    def __init__(self) -> None:
        self.addresses: dict[str, list[str]] = {}

    def __call__(self, host: str) -> list[str]:
        return self.addresses.get(host, [self.PUBLIC])
