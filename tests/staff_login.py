"""The signed-in staff member the ``sign_in_staff`` fixture (tests/conftest.py) returns.

Its own module, because test modules cannot import from ``conftest``: tests/conftest.py and
tests/e2e/conftest.py would both be the module ``conftest``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StaffLogin:
    """A staff member signed in on the test client (see the ``sign_in_staff`` fixture)."""

    staff_id: str
    username: str
    password: str
    totp_secret: str
    csrf_token: str  # for form fields ``csrf_token`` and the ``X-CSRF-Token`` header
