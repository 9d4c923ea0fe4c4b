"""Helpers for the location report tests: a signed-in person with a registered address (Tverskaya
7, Moscow) whose phone sends reports through ``POST /api/v1/reports``."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from registration_support import TVERSKAYA, person, registered
from sign_in_support import Session

from amina.bootstrap import Container

HOME = (TVERSKAYA["lat"], TVERSKAYA["lon"])
#: About 600 m from home, still in Moscow.
NEARBY = (55.7539, 37.6208)
#: Tver: outside both regions, 160 km away.
TVER = (56.8587, 35.9176)


def reporting_person(
    client: TestClient, container: Container, number: str = "7725100001", **changes: Any
) -> Session:
    """A card holder who signed in on a phone and registered at Tverskaya 7."""
    session = person(client, container, number, **changes)
    registered(client, session)
    return session


def fix(
    at: datetime,
    where: tuple[float, float] = HOME,
    *,
    client_id: str | None = None,
    **changes: Any,
) -> dict[str, Any]:
    """One report as the app sends it."""
    body: dict[str, Any] = {
        "client_id": client_id or uuid.uuid4().hex,
        "device_time": at.isoformat(),
        "lat": where[0],
        "lon": where[1],
        "accuracy_m": 12.5,
        "speed_mps": 0.0,
        "altitude_m": 151.0,
        "provider": "gps",
        "mocked": False,
    }
    body.update(changes)
    return body


def walk(
    start: datetime, count: int, every: timedelta = timedelta(minutes=15)
) -> list[dict[str, Any]]:
    """``count`` fixes at home, one every ``every`` from ``start``."""
    return [fix(start + i * every) for i in range(count)]


def send(client: TestClient, session: Session, body: Any, **headers: str) -> Any:
    return client.post("/api/v1/reports", json=body, headers={**session.device, **headers})


def statuses(answer: Any) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [result["status"] for result in answer.json()["results"]]
