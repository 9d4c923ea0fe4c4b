"""Registering by the address, never by typing coordinates (issue 13 point 1b), on both
databases: the coordinates may be null, the region comes from the address (checked against the
state register when the address was chosen from it), and the building's coordinates are added
later only with the person's consent — "I am at this address now", or the phone's usual place
at night."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from registration_support import TVERSKAYA, application, person, registered, submit
from report_support import NEARBY, TVER, fix, send, statuses

from amina.adapters.external.gar.files import GarFolder
from amina.bootstrap import Container
from amina.demo.addresses import DEMO_EXTRACT
from amina.services.addresses.imports import import_addresses

#: Tverskaya 7 chosen in the form: no coordinates.
WORDS_ONLY: dict[str, Any] = {**TVERSKAYA, "lat": None, "lon": None}


def chosen(client: TestClient, bearer: dict[str, str], query: str) -> dict[str, Any]:
    """The first suggestion for ``query``, as the form fills the address from it."""
    (first, *_) = client.get("/api/v1/addresses", params={"q": query}, headers=bearer).json()[
        "results"
    ]
    return {
        "region": first["region"],
        "settlement": first["settlement"],
        "street": first["street"],
        "house": first["house"],
        "building": first["building"],
        "flat": "12",
        "fias_id": first["gar_id"],
        "lat": None,
        "lon": None,
    }


def test_a_person_registers_by_the_address_alone(client: TestClient, container: Container) -> None:
    me = person(client, container)

    answer = submit(client, me, application(address=WORDS_ONLY))

    assert answer.status_code == 201, answer.text
    registration = answer.json()
    assert registration["status"] == "active"
    assert registration["address"]["region"] == "RU-MOW"
    assert (registration["address"]["lat"], registration["address"]["lon"]) == (None, None)
    assert registration["address"]["text"] == "Москва, ул. Тверская, д. 7, кв. 12"
    assert registration["near_border"] is False
    reporting = client.get("/api/v1/me/reporting", headers=me.bearer).json()
    assert reporting["reporting_expected"] is True
    assert reporting["registered_place"] == {"region": "RU-MOW", "lat": None, "lon": None}


def test_an_address_chosen_from_the_register_keeps_its_register_id(
    client: TestClient, container: Container
) -> None:
    import_addresses(container.uow, GarFolder(DEMO_EXTRACT))
    me = person(client, container)
    address = chosen(client, me.bearer, "ленинградская 16")

    registration = registered(client, me, address=address)

    assert registration["address"]["fias_id"] == address["fias_id"]
    assert registration["address"]["region"] == "RU-MOS"
    assert registration["address"]["text"] == (
        "Московская область, Химки, ул. Ленинградская, д. 16, кв. 12"
    )


def test_the_region_must_be_the_one_the_register_gives_the_address(
    client: TestClient, container: Container
) -> None:
    import_addresses(container.uow, GarFolder(DEMO_EXTRACT))
    me = person(client, container, language="ru")
    address = {**chosen(client, me.bearer, "ленинградская 16"), "region": "RU-MOW"}

    answer = submit(client, me, application(address=address))

    assert answer.status_code == 422
    (error,) = answer.json()["errors"]
    assert (error["field"], error["code"]) == ("address.region", "region_does_not_match_address")
    assert error["message"] == (
        "По данным адресного реестра этот адрес находится в Московской области, а не в Москве."
    )


def test_one_coordinate_without_the_other_is_refused(
    client: TestClient, container: Container
) -> None:
    me = person(client, container)

    answer = submit(client, me, application(address={**WORDS_ONLY, "lat": 55.7577}))

    assert answer.status_code == 422
    assert [(e["field"], e["code"]) for e in answer.json()["errors"]] == [
        ("address.lon", "coordinates_incomplete")
    ]


def test_standing_at_the_address_the_person_adds_the_buildings_location(
    client: TestClient, container: Container
) -> None:
    me = person(client, container)
    registration = registered(client, me, address=WORDS_ONLY)

    answer = client.post(
        f"/api/v1/me/registrations/{registration['id']}/location",
        json={"source": "at_address", "lat": 55.7577, "lon": 37.6116},
        headers=me.bearer,
    )

    assert answer.status_code == 200, answer.text
    located = answer.json()
    assert (located["address"]["lat"], located["address"]["lon"]) == (55.7577, 37.6116)
    assert located["status"] == "active"
    assert [(e["kind"], e["reason"]) for e in located["events"]] == [
        ("registered", None),
        ("located", "at_address"),
    ]
    reporting = client.get("/api/v1/me/reporting", headers=me.bearer).json()
    assert reporting["registered_place"]["lat"] == 55.7577


def test_a_location_outside_the_addresss_region_is_refused(
    client: TestClient, container: Container
) -> None:
    me = person(client, container)
    registration = registered(client, me, address=WORDS_ONLY)

    answer = client.post(
        f"/api/v1/me/registrations/{registration['id']}/location",
        json={"source": "at_address", "lat": TVER[0], "lon": TVER[1]},
        headers=me.bearer,
    )

    assert answer.status_code == 422
    assert answer.json()["code"] == "address_invalid"
    current = client.get("/api/v1/me/registrations/current", headers=me.bearer).json()
    assert current["address"]["lat"] is None


def _nights(client: TestClient, me: Any, *days: int) -> None:
    """The phone reports from near Tverskaya at 02:00-03:00 Moscow time in the night to each of
    ``days`` of November 2025 (the tests' today is the 5th)."""
    for day in days:
        at = datetime.fromisoformat(f"2025-11-{day:02d}T02:00:00+03:00")
        body = {"reports": [fix(at + timedelta(minutes=m), NEARBY) for m in (0, 20, 40, 60)]}
        assert set(statuses(send(client, me, body))) == {"accepted"}


def test_after_a_few_nights_the_app_asks_whether_the_usual_place_is_home(
    client: TestClient, container: Container
) -> None:
    me = person(client, container)
    registration = registered(client, me, address=WORDS_ONLY)
    _nights(client, me, 4, 5)
    asked = client.get("/api/v1/me/registrations/current/night-place", headers=me.bearer)
    assert asked.json() == {"suggestion": None}  # two nights are not enough

    _nights(client, me, 3)
    suggestion = client.get(
        "/api/v1/me/registrations/current/night-place", headers=me.bearer
    ).json()["suggestion"]

    assert suggestion["registration_id"] == registration["id"]
    assert suggestion["nights"] == 3
    assert (suggestion["lat"], suggestion["lon"]) == NEARBY
    yes = client.post(
        f"/api/v1/me/registrations/{registration['id']}/location",
        json={"source": "night_place"},
        headers=me.bearer,
    )
    assert yes.status_code == 200, yes.text
    assert (yes.json()["address"]["lat"], yes.json()["address"]["lon"]) == NEARBY
    assert yes.json()["events"][-1]["reason"] == "night_place"
    after = client.get("/api/v1/me/registrations/current/night-place", headers=me.bearer)
    assert after.json() == {"suggestion": None}  # located now: nothing more to ask


def test_nothing_is_stored_from_the_night_without_the_persons_yes(
    client: TestClient, container: Container
) -> None:
    me = person(client, container)
    registration = registered(client, me, address=WORDS_ONLY)

    answer = client.post(
        f"/api/v1/me/registrations/{registration['id']}/location",
        json={"source": "night_place"},
        headers=me.bearer,
    )

    assert answer.status_code == 409
    assert answer.json()["code"] == "no_night_place"
    current = client.get("/api/v1/me/registrations/current", headers=me.bearer).json()
    assert current["address"]["lat"] is None
