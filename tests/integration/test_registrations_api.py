"""Registration of the place of stay through the API exactly as in API.md, on both databases:
submit and read back, every validation error naming its field in the person's language, the
region check with its near-border allowance, address change, and Idempotency-Key."""

from __future__ import annotations

import re
import uuid

from fastapi.testclient import TestClient
from registration_support import (
    HOST_ORGANISATION,
    PODOLSK,
    TVER,
    TVERSKAYA,
    a_point_on_the_moscow_border,
    application,
    person,
    registered,
    submit,
)

from amina.bootstrap import Container
from amina.i18n import Translator


def test_a_person_registers_an_address_and_reads_it_back(
    client: TestClient, container: Container
) -> None:
    me = person(client, container)

    answer = submit(client, me, application())

    assert answer.status_code == 201
    registration = answer.json()
    assert registration["status"] == "active"
    assert re.fullmatch(r"AM-2025-\d{6}", registration["number"])
    assert re.fullmatch(
        r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{5}",
        registration["slip_code"],
    )
    assert registration["address"]["text"] == "Москва, ул. Тверская, д. 7, кв. 12"
    assert registration["host"]["name"] == "Иванова Мария Петровна"
    assert (registration["stay_from"], registration["stay_to"]) == ("2025-11-05", "2026-11-04")
    assert registration["near_border"] is False
    assert [(e["kind"], e["to_status"], e["actor"]["kind"]) for e in registration["events"]] == [
        ("registered", "active", "person")
    ]

    listed = client.get("/api/v1/me/registrations", headers=me.bearer).json()
    assert [r["id"] for r in listed] == [registration["id"]]
    assert listed[0] == registration
    current = client.get("/api/v1/me/registrations/current", headers=me.bearer)
    assert current.status_code == 200
    assert current.json()["id"] == registration["id"]
    profile = client.get("/api/v1/me", headers=me.bearer).json()
    assert profile["registration"]["slip_code"] == registration["slip_code"]
    assert profile["registration"]["address"] == "Москва, ул. Тверская, д. 7, кв. 12"


def test_without_a_registration_there_is_no_current_one(
    client: TestClient, container: Container
) -> None:
    me = person(client, container)

    answer = client.get("/api/v1/me/registrations/current", headers=me.bearer)

    assert answer.status_code == 404
    assert answer.json()["code"] == "no_active_registration"


def test_registrations_need_a_signed_in_person(client: TestClient) -> None:
    assert client.post("/api/v1/me/registrations", json=application()).status_code == 401
    assert client.get("/api/v1/me/registrations").status_code == 401


def test_every_problem_is_listed_with_its_field_and_a_message_in_the_persons_language(
    client: TestClient, container: Container
) -> None:
    me = person(client, container, language="ru")
    russian = Translator("ru")

    answer = submit(
        client,
        me,
        application(
            stay_from="2025-10-01",  # more than the policy's 3 days in the past
            stay_to="2027-06-01",  # after the card's validity (2027-03-01)
            host={"kind": "person", "name": "Иванова Мария Петровна", "document": None},
        ),
    )

    assert answer.status_code == 422
    problem = answer.json()
    assert problem["code"] == "registration_invalid"
    assert problem["title"] == russian.gettext("The registration is not valid")
    errors = {e["field"]: e for e in problem["errors"]}
    assert {field: e["code"] for field, e in errors.items()} == {
        "stay_from": "stay_starts_too_far_in_the_past",
        "stay_to": "stay_beyond_document_validity",
        "host.document": "host_document_required",
    }
    assert errors["stay_from"]["message"] == (
        "Начало пребывания может быть не раньше чем за 3 дня до сегодняшнего дня."
    )
    assert errors["stay_to"]["message"] == (
        "Срок пребывания не может выходить за срок действия вашей карты (2027-03-01)."
    )
    assert errors["host.document"]["message"] == russian.gettext(
        "Enter the number of the host's identity document."
    )
    assert client.get("/api/v1/me/registrations", headers=me.bearer).json() == []


def test_a_stay_that_ends_before_it_starts_is_a_stay_period_problem_in_the_persons_language(
    client: TestClient, container: Container
) -> None:
    me = person(client, container, language="uz")

    answer = submit(client, me, application(stay_from="2025-11-10", stay_to="2025-11-08"))

    assert answer.status_code == 422
    problem = answer.json()
    assert problem["code"] == "stay_period_invalid"
    assert problem["errors"] == [
        {
            "field": "stay_to",
            "code": "stay_ends_before_it_starts",
            "message": "Turish boshlanishidan oldin tugashi mumkin emas.",
        }
    ]


def test_an_organisation_host_needs_a_valid_taxpayer_number(
    client: TestClient, container: Container
) -> None:
    me = person(client, container)

    wrong_digits = submit(client, me, application(host={**HOST_ORGANISATION, "inn": "7707083890"}))
    accepted = submit(client, me, application(host=HOST_ORGANISATION))

    assert wrong_digits.status_code == 422
    assert [(e["field"], e["code"]) for e in wrong_digits.json()["errors"]] == [
        ("host.inn", "host_inn_invalid")
    ]
    assert accepted.status_code == 201
    assert accepted.json()["host"]["inn"] == "7707083893"


def test_missing_and_malformed_fields_are_all_named(
    client: TestClient, container: Container
) -> None:
    me = person(client, container)
    body = application(purpose="holiday")
    del body["host"]
    body["address"] = {**TVERSKAYA, "lat": 123.0, "region": "RU-SPE"}

    answer = submit(client, me, body)

    assert answer.status_code == 422
    assert {e["field"] for e in answer.json()["errors"]} == {
        "host",
        "purpose",
        "address.lat",
        "address.region",
    }


def test_coordinates_in_the_other_region_are_refused_on_the_region_field(
    client: TestClient, container: Container
) -> None:
    me = person(client, container, language="en")

    podolsk_called_moscow = submit(client, me, application(address={**PODOLSK, "region": "RU-MOW"}))
    tver = submit(client, me, application(address=TVER))

    assert podolsk_called_moscow.status_code == 422
    assert podolsk_called_moscow.json()["code"] == "address_invalid"
    assert podolsk_called_moscow.json()["errors"] == [
        {
            "field": "address.region",
            "code": "region_does_not_match_coordinates",
            "message": "The coordinates of this address lie in Moscow Oblast, not in Moscow.",
        }
    ]
    assert tver.status_code == 422
    assert [(e["field"], e["code"]) for e in tver.json()["errors"]] == [
        ("address.lat", "coordinates_outside_regions")
    ]


def test_an_address_within_the_boundary_datas_precision_of_a_border_is_accepted_and_flagged(
    client: TestClient, container: Container
) -> None:
    me = person(client, container)
    lat, lon = a_point_on_the_moscow_border()

    as_moscow = submit(client, me, application(address={**TVERSKAYA, "lat": lat, "lon": lon}))
    as_oblast = submit(client, me, application(address={**PODOLSK, "lat": lat, "lon": lon}))

    assert as_moscow.status_code == 201
    assert as_moscow.json()["near_border"] is True
    assert as_oblast.status_code == 201
    assert as_oblast.json()["near_border"] is True
    assert as_oblast.json()["address"]["region"] == "RU-MOS"
    clear = registered(client, me)
    assert clear["near_border"] is False


def test_a_new_address_closes_the_old_registration_with_an_event(
    client: TestClient, container: Container
) -> None:
    me = person(client, container)
    first = registered(client, me)

    second = registered(client, me, address=PODOLSK)

    listed = client.get("/api/v1/me/registrations", headers=me.bearer).json()
    assert [r["id"] for r in listed] == [second["id"], first["id"]]  # newest first
    old = listed[1]
    assert old["status"] == "closed"
    assert [(e["kind"], e["from_status"], e["to_status"]) for e in old["events"]] == [
        ("registered", None, "active"),
        ("closed", "active", "closed"),
    ]
    closing = old["events"][1]
    assert closing["reason"] == "address changed"
    assert closing["actor"] == {"kind": "person", "id": me.person_id, "role": None}
    assert listed[0]["status"] == "active"
    current = client.get("/api/v1/me/registrations/current", headers=me.bearer).json()
    assert current["id"] == second["id"]
    assert client.get(f"/api/v1/verify/{first['slip_code']}").json()["status"] == "not_valid"
    assert client.get(f"/api/v1/verify/{second['slip_code']}").json()["status"] == "valid"


def test_the_same_idempotency_key_and_body_give_the_first_answer_and_create_nothing_new(
    client: TestClient, container: Container
) -> None:
    me = person(client, container)
    key = {"Idempotency-Key": "registration-" + uuid.uuid4().hex}

    first = submit(client, me, application(), **key)
    again = submit(client, me, application(), **key)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    listed = client.get("/api/v1/me/registrations", headers=me.bearer).json()
    assert len(listed) == 1
    assert listed[0]["status"] == "active"


def test_the_same_idempotency_key_with_another_body_is_refused(
    client: TestClient, container: Container
) -> None:
    me = person(client, container)
    key = {"Idempotency-Key": "one-key"}
    submit(client, me, application(), **key)

    reused = submit(client, me, application(address=PODOLSK), **key)

    assert reused.status_code == 409
    assert reused.json()["code"] == "idempotency_key_reused"
    assert len(client.get("/api/v1/me/registrations", headers=me.bearer).json()) == 1


def test_an_idempotency_key_belongs_to_one_person(client: TestClient, container: Container) -> None:
    one = person(client, container, "7725100001")
    other = person(client, container, "7725100002")

    first = submit(client, one, application(), **{"Idempotency-Key": "shared"})
    second = submit(client, other, application(), **{"Idempotency-Key": "shared"})

    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]


def test_a_registration_covers_the_persons_own_children_only(
    client: TestClient, container: Container
) -> None:
    me = person(client, container)
    child = client.post(
        "/api/v1/me/dependants",
        json={
            "surname_lat": "Rahimova",
            "given_names_lat": "Malika",
            "surname_cyr": "Рахимова",
            "given_names_cyr": "Малика",
            "date_of_birth": "2016-04-02",
            "citizenship": "TJ",
        },
        headers=me.bearer,
    )
    assert child.status_code == 201, child.text
    child_id = child.json()["id"]

    stranger = submit(client, me, application(dependants=[child_id, str(uuid.uuid4())]))
    covered = submit(client, me, application(dependants=[child_id]))

    assert stranger.status_code == 422
    assert [(e["field"], e["code"]) for e in stranger.json()["errors"]] == [
        ("dependants.1", "dependant_unknown")
    ]
    assert covered.status_code == 201
    assert covered.json()["dependants"] == [{"id": child_id, "name": "Rahimova Malika"}]


def test_a_person_cannot_fetch_someone_elses_slip(client: TestClient, container: Container) -> None:
    owner = person(client, container, "7725100001")
    other = person(client, container, "7725100002")
    registration = registered(client, owner)

    answer = client.get(
        f"/api/v1/me/registrations/{registration['id']}/slip.pdf", headers=other.bearer
    )

    assert answer.status_code == 404
    assert answer.json()["code"] == "registration_not_found"
