"""Enrolment through the API: language at first sign-in, eligibility explained in plain words,
children under a covered adult's account. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient
from sign_in_support import WORKER, card, register, sign_in

from amina.bootstrap import Container
from amina.domain.eligibility import EligibilityStatus
from amina.i18n import Translator
from amina.services.clock import FixedClock
from amina.services.identity.enrolment import EXPLANATIONS, HEADLINES

CHILD = {
    "surname_lat": "Rahimova",
    "given_names_lat": "Zarina",
    "surname_cyr": "Рахимова",
    "given_names_cyr": "Зарина",
    "date_of_birth": "2016-02-10",
    "citizenship": "TJ",
}


def test_at_first_sign_in_the_person_picks_a_language_and_errors_then_come_in_it(
    client: TestClient, container: Container
) -> None:
    register(container, WORKER)
    session = sign_in(client, WORKER, **{"Accept-Language": "en"})
    assert session.body["person"] == {
        "id": session.person_id,
        "language": "en",
        "language_chosen": False,
    }

    chosen = client.patch("/api/v1/me", json={"language": "uz"}, headers=session.bearer)
    assert chosen.status_code == 200
    assert chosen.json()["language"] == "uz"
    assert chosen.json()["language_chosen"] is True

    # the saved language wins over the request's Accept-Language
    refused = client.post(
        "/api/v1/me/dependants",
        json={**CHILD, "date_of_birth": "2000-01-01"},
        headers={**session.bearer, "Accept-Language": "en"},
    )
    assert refused.status_code == 422
    message = refused.json()["errors"][0]["message"]
    assert message == Translator("uz").gettext("Only children under %(age)s can be added.", age=18)
    assert message != "Only children under 18 can be added."
    assert refused.headers["Content-Language"] == "uz"


def test_an_unsupported_language_is_refused(client: TestClient, container: Container) -> None:
    register(container, WORKER)
    session = sign_in(client, WORKER)
    refused = client.patch("/api/v1/me", json={"language": "de"}, headers=session.bearer)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "language"


def test_eligibility_today_is_explained_in_the_persons_language(
    client: TestClient, container: Container
) -> None:
    register(container, WORKER)
    session = sign_in(client, WORKER)
    client.patch("/api/v1/me", json={"language": "tg"}, headers=session.bearer)

    eligibility = client.get("/api/v1/me", headers=session.bearer).json()["eligibility"]

    tajik = Translator("tg")
    assert eligibility["on"] == "2025-11-05"
    assert eligibility["status"] == "required"
    assert eligibility["rule"] == "phase-1-work"
    assert eligibility["headline"] == tajik.gettext(HEADLINES[EligibilityStatus.required])
    assert eligibility["explanation"] == tajik.gettext(EXPLANATIONS["covered"])
    assert eligibility["explanation"] != EXPLANATIONS["covered"]


def test_an_exempt_person_sees_the_reason_and_a_tourist_is_not_covered(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    clock.set(datetime.fromisoformat("2026-10-01T10:00:00+03:00"))  # phase 2: long stays too
    belarusian = card("7725100011", citizenship="BY", purpose="study")
    diplomat = card("7725100012", category="diplomat")
    tourist = card("7725100013", purpose="tourism", intended_stay_days=20)
    register(container, belarusian, diplomat, tourist)
    english = {"Accept-Language": "en"}

    answers = {
        record["card_number"]: client.get(
            "/api/v1/me", headers=sign_in(client, record, **english).bearer
        ).json()["eligibility"]
        for record in (belarusian, diplomat, tourist)
    }

    assert answers["7725100011"]["status"] == "exempt"
    assert answers["7725100011"]["reason"] == "exempt_citizenship"
    assert "citizens of your country are exempt" in answers["7725100011"]["explanation"]
    assert answers["7725100012"]["reason"] == "exempt_diplomat"
    assert "diplomats are exempt" in answers["7725100012"]["explanation"]
    assert answers["7725100013"]["status"] == "not_covered"
    assert answers["7725100013"]["explanation"] == EXPLANATIONS["no_rule_applies"]


def test_eligibility_on_a_date_before_amina_started_is_not_covered(
    client: TestClient, container: Container
) -> None:
    register(container, WORKER)
    session = sign_in(client, WORKER)

    before = client.get("/api/v1/me/eligibility?on=2025-08-31", headers=session.bearer)
    after = client.get("/api/v1/me/eligibility?on=2025-09-01", headers=session.bearer)

    assert before.json()["status"] == "not_covered"
    assert after.json()["status"] == "required"
    assert after.json()["policy_version"] == "2025-09-01.1"


def test_a_covered_adult_adds_a_child_who_gets_no_device_of_their_own(
    client: TestClient, container: Container
) -> None:
    register(container, WORKER)
    session = sign_in(client, WORKER)

    added = client.post("/api/v1/me/dependants", json=CHILD, headers=session.bearer)

    assert added.status_code == 201
    child = added.json()
    assert child["given_names_lat"] == "Zarina"
    listed = client.get("/api/v1/me/dependants", headers=session.bearer).json()
    assert listed["may_add"] is True
    assert [c["id"] for c in listed["dependants"]] == [child["id"]]
    me = client.get("/api/v1/me", headers=session.bearer).json()
    assert [c["id"] for c in me["dependants"]] == [child["id"]]
    assert me["device_bound"] is True  # the parent's device; the child has none


def test_a_child_must_be_under_18(client: TestClient, container: Container) -> None:
    register(container, WORKER)
    session = sign_in(client, WORKER)

    adult = client.post(
        "/api/v1/me/dependants",
        json={**CHILD, "date_of_birth": "2007-11-05"},  # 18 today
        headers=session.bearer,
    )
    almost = client.post(
        "/api/v1/me/dependants",
        json={**CHILD, "date_of_birth": "2007-11-06"},  # 18 tomorrow
        headers=session.bearer,
    )

    assert adult.status_code == 422
    assert adult.json()["errors"][0]["field"] == "date_of_birth"
    assert adult.json()["errors"][0]["code"] == "not_a_child"
    assert almost.status_code == 201


def test_only_a_covered_adult_may_add_children(client: TestClient, container: Container) -> None:
    belarusian = card("7725100014", citizenship="BY")
    register(container, belarusian)
    session = sign_in(client, belarusian)

    refused = client.post("/api/v1/me/dependants", json=CHILD, headers=session.bearer)

    assert refused.status_code == 403
    assert refused.json()["code"] == "dependants_not_allowed"
    assert client.get("/api/v1/me/dependants", headers=session.bearer).json() == {
        "may_add": False,
        "dependants": [],
    }


def test_adding_a_child_again_with_the_same_idempotency_key_adds_nothing(
    client: TestClient, container: Container
) -> None:
    register(container, WORKER)
    session = sign_in(client, WORKER)
    headers = {**session.bearer, "Idempotency-Key": "child-1"}

    first = client.post("/api/v1/me/dependants", json=CHILD, headers=headers)
    again = client.post("/api/v1/me/dependants", json=CHILD, headers=headers)
    other = client.post(
        "/api/v1/me/dependants", json={**CHILD, "given_names_lat": "Aziza"}, headers=headers
    )

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert other.status_code == 409
    listed = client.get("/api/v1/me/dependants", headers=session.bearer).json()["dependants"]
    assert len(listed) == 1


def test_the_profile_masks_the_phone_on_file(client: TestClient, container: Container) -> None:
    register(container, WORKER)
    session = sign_in(client, WORKER)
    me = client.get("/api/v1/me", headers=session.bearer).json()
    assert WORKER["phone"] not in str(me)
    assert me["phone"].endswith("01")
    assert me["registration"] is None
