"""Helpers for the patent payment tests: a signed-in worker records a patent through the API
and pays through the sandbox acquirer's checkout page, as the app does."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from sign_in_support import Session

#: Issued 20 September 2025 with two months paid: paid until 19 November 2025 (the tests' day
#: is 5 November 2025).
PATENT: dict[str, Any] = {
    "number": "77 2500123456",
    "regions": ["RU-MOW"],
    "issued_on": "2025-09-20",
    "months_at_issue": 2,
    "inn": "500100732259",
    "oktmo": "45382000",
}


def record(client: TestClient, session: Session, **changes: Any) -> dict[str, Any]:
    answer = client.post("/api/v1/me/patent", json={**PATENT, **changes}, headers=session.bearer)
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


def my_patent(client: TestClient, session: Session) -> dict[str, Any]:
    answer = client.get("/api/v1/me/patent", headers=session.bearer)
    assert answer.status_code == 200, answer.text
    return answer.json()["patent"]  # type: ignore[no-any-return]


def start(client: TestClient, session: Session, months: int, key: str = "k-1") -> Any:
    return client.post(
        "/api/v1/me/patent/payments",
        json={"months": months},
        headers={**session.bearer, "Idempotency-Key": key},
    )


def checkout(client: TestClient, payment: dict[str, Any], outcome: str) -> Any:
    """Press a button on the sandbox checkout page."""
    path = urlsplit(payment["checkout_url"]).path
    return client.post(path, data={"outcome": outcome}, follow_redirects=False)


def paid(client: TestClient, session: Session, months: int, key: str = "k-1") -> dict[str, Any]:
    started = start(client, session, months, key)
    assert started.status_code == 201, started.text
    done = checkout(client, started.json(), "pay")
    assert done.status_code == 303, done.text
    return started.json()  # type: ignore[no-any-return]
