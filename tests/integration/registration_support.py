"""Helpers for the registration, slip and host verification tests: people are put in the card
register through the importer and sign in through the API (``sign_in_support``); they register
through ``POST /api/v1/me/registrations``."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sign_in_support import WORKER, Session, card, register, sign_in

from amina.adapters.external.boundaries import BOUNDARIES
from amina.bootstrap import Container

#: Tverskaya street 7, Moscow (Central Telegraph).
TVERSKAYA: dict[str, Any] = {
    "region": "RU-MOW",
    "settlement": "Москва",
    "street": "ул. Тверская",
    "house": "7",
    "building": None,
    "flat": "12",
    "fias_id": None,
    "lat": 55.7577,
    "lon": 37.6116,
}
#: Podolsk, Moscow Oblast: Kirova street.
PODOLSK: dict[str, Any] = {
    "region": "RU-MOS",
    "settlement": "Подольск",
    "street": "ул. Кирова",
    "house": "10",
    "building": "2",
    "flat": "41",
    "fias_id": None,
    "lat": 55.4260,
    "lon": 37.5560,
}
#: Tver: outside both regions.
TVER: dict[str, Any] = {**PODOLSK, "settlement": "Тверь", "lat": 56.8587, "lon": 35.9176}

HOST_PERSON: dict[str, Any] = {
    "kind": "person",
    "name": "Иванова Мария Петровна",
    "document": "4510 123456",
    "inn": None,
}
HOST_ORGANISATION: dict[str, Any] = {
    "kind": "organisation",
    "name": "ООО «Стройтехмонтаж»",
    "document": None,
    "inn": "7707083893",
}


def application(**changes: Any) -> dict[str, Any]:
    """A valid registration body for the tests' date (2025-11-05), with ``changes`` on top."""
    body: dict[str, Any] = {
        "address": dict(TVERSKAYA),
        "host": dict(HOST_PERSON),
        "stay_from": "2025-11-05",
        "stay_to": "2026-11-04",
        "purpose": "work",
        "dependants": [],
    }
    body.update(changes)
    return body


def person(
    client: TestClient,
    container: Container,
    number: str = "7725100001",
    *,
    language: str | None = None,
    **card_changes: Any,
) -> Session:
    """A card holder who has signed in (and chosen ``language``, if given)."""
    record = card(number, **card_changes) if number != WORKER["card_number"] else dict(WORKER)
    record.update(card_changes)
    register(container, record)
    session = sign_in(client, record)
    if language:
        answer = client.patch("/api/v1/me", json={"language": language}, headers=session.bearer)
        assert answer.status_code == 200, answer.text
    return session


def submit(client: TestClient, session: Session, body: dict[str, Any], **headers: str) -> Any:
    return client.post("/api/v1/me/registrations", json=body, headers={**session.bearer, **headers})


def registered(client: TestClient, session: Session, **changes: Any) -> dict[str, Any]:
    answer = submit(client, session, application(**changes))
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


def a_point_on_the_moscow_border() -> tuple[float, float]:
    """(lat, lon) of a vertex of Moscow's outline in the boundary data: as near a border as a
    point can be."""
    document = json.loads(BOUNDARIES.read_text(encoding="utf-8"))
    moscow = next(f for f in document["features"] if f["properties"]["iso3166_2"] == "RU-MOW")
    lon, lat = moscow["geometry"]["coordinates"][0][0][10]
    return lat, lon
