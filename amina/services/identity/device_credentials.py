"""A short per-worker memory of device credentials that were refused.

``POST /api/v1/reports`` checks the credential in the same query that loads what classifying the
batch needs (amina.adapters.db.reports.store, ``_DEVICE_CONTEXT``): a valid credential costs no
extra round trip, and a device retired by a new sign-in is refused from that moment on — there
is no window in which a retired credential still works. (A cache of *valid* credentials, as first
planned, would save nothing: the context query runs anyway; and with two million phones sending
every few minutes a 30-second cache would almost never hit. docs/adr/003-report-storage.md.)

What this cache keeps, for ``ttl`` seconds (30 by default), is the refusal: an unknown credential
never becomes valid (credentials are 256 random bits issued at sign-in) and retirement is final,
so remembering a refusal is always right. A retired phone that keeps retrying its queue, or a
client guessing credentials, is answered ``401`` without touching the database.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from threading import Lock

from amina.services.identity.sessions import CredentialRefused, device_retired, device_unknown
from amina.services.identity.sign_in import secret_hash

DEFAULT_TTL_SECONDS = 30.0
DEFAULT_MAX_ENTRIES = 100_000


class RefusedCredentials:
    """credential hash → why it was refused (and in which language), for ``ttl`` seconds."""

    def __init__(
        self,
        *,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self.timer = timer
        # code ("device_unknown" / "device_retired") and the holder's language, if known
        self._entries: dict[str, tuple[float, str, str | None]] = {}
        self._lock = Lock()

    def refusal(self, credential: str) -> CredentialRefused | None:
        """The refusal remembered for this credential, if it has not expired."""
        entry = self._entries.get(secret_hash(credential))
        if entry is None or entry[0] <= self.timer():
            return None
        _, code, language = entry
        if code == "device_retired" and language:
            return device_retired(language)
        return device_unknown()

    def remember(self, credential: str, refused: CredentialRefused) -> None:
        with self._lock:
            if len(self._entries) >= self.max_entries:
                now = self.timer()
                for stale in [k for k, (until, _, _) in self._entries.items() if until <= now]:
                    del self._entries[stale]
                while len(self._entries) >= self.max_entries:  # oldest first (insertion order)
                    del self._entries[next(iter(self._entries))]
            self._entries[secret_hash(credential)] = (
                self.timer() + self.ttl,
                refused.code,
                refused.language,
            )
