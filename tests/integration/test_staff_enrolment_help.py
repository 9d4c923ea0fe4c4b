"""Staff help with enrolment: search with a stated purpose, resend a code, mark a card lost —
each audited and shown to the person in their access log. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sign_in_support import (
    WORKER,
    ask_for_code,
    ask_for_code_by_passport,
    last_code,
    register,
    sign_in,
    texts_to,
    verify,
    wrong,
)

from amina.bootstrap import Container
from amina.services.identity.cards import card_events

PURPOSE = "Person at desk 3 cannot sign in"


def staff_post(client: TestClient, login: Any, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json=body, headers={"X-CSRF-Token": login.csrf_token})


def test_a_search_needs_a_stated_purpose(
    client: TestClient, container: Container, sign_in_staff: Callable[[str], Any]
) -> None:
    register(container, WORKER)
    operator = sign_in_staff("operator")

    refused = staff_post(
        client,
        operator,
        "/api/v1/staff/persons/search",
        {"card_number": WORKER["card_number"], "purpose": "hm"},
    )
    missing = staff_post(
        client, operator, "/api/v1/staff/persons/search", {"card_number": WORKER["card_number"]}
    )

    assert refused.status_code == missing.status_code == 422
    assert refused.json()["code"] == missing.json()["code"] == "purpose_required"


def test_a_search_is_audited_and_the_person_sees_it_without_the_staff_name(
    client: TestClient, container: Container, sign_in_staff: Callable[[str], Any]
) -> None:
    register(container, WORKER)
    operator = sign_in_staff("operator")

    found = staff_post(
        client,
        operator,
        "/api/v1/staff/persons/search",
        {"card_number": WORKER["card_number"], "purpose": PURPOSE},
    )
    assert found.status_code == 200
    assert found.json()["surname_lat"] == "Rahimov"
    assert found.json()["phone"] != WORKER["phone"]  # masked

    person = sign_in(client, WORKER, **{"Accept-Language": "en"})
    assert person.person_id == found.json()["id"]  # the same person the operator found
    log = client.get("/api/v1/me/access-log", headers=person.bearer)
    assert log.status_code == 200
    [entry] = log.json()["entries"]
    assert entry["staff_id"] == operator.staff_id
    assert entry["role"] == "operator"
    assert entry["role_name"] == "Migration centre operator"
    assert entry["purpose"] == PURPOSE
    assert entry["action"] == "person.search"
    assert "card details" in entry["what"]
    assert "Test Operator" not in log.text  # staff names are never shown


def test_a_search_by_passport_finds_the_same_person(
    client: TestClient, container: Container, sign_in_staff: Callable[[str], Any]
) -> None:
    register(container, WORKER)
    operator = sign_in_staff("operator")
    by_card = staff_post(
        client,
        operator,
        "/api/v1/staff/persons/search",
        {"card_number": WORKER["card_number"], "purpose": PURPOSE},
    )
    by_passport = staff_post(
        client,
        operator,
        "/api/v1/staff/persons/search",
        {"citizenship": "tj", "passport_number": WORKER["passport_number"], "purpose": PURPOSE},
    )
    nobody = staff_post(
        client,
        operator,
        "/api/v1/staff/persons/search",
        {"card_number": "7725999999", "purpose": PURPOSE},
    )
    assert by_passport.json()["id"] == by_card.json()["id"]
    assert nobody.status_code == 404
    assert nobody.json()["code"] == "person_not_found"


def test_an_operator_resends_a_code_to_a_locked_out_person(
    client: TestClient, container: Container, sign_in_staff: Callable[[str], Any]
) -> None:
    register(container, WORKER)
    challenge = ask_for_code(client, WORKER).json()["challenge_id"]
    code = last_code(client, WORKER["phone"])
    for _ in range(5):
        verify(client, challenge, wrong(code))
    assert verify(client, challenge, code).status_code == 429  # the person is stuck
    operator = sign_in_staff("operator")
    person_id = staff_post(
        client,
        operator,
        "/api/v1/staff/persons/search",
        {"card_number": WORKER["card_number"], "purpose": PURPOSE},
    ).json()["id"]

    resent = staff_post(
        client, operator, f"/api/v1/staff/persons/{person_id}/resend-code", {"purpose": PURPOSE}
    )

    assert resent.status_code == 200
    assert resent.json()["challenge_id"] == challenge
    assert resent.json()["sent_to"].endswith("01")
    assert len(texts_to(client, WORKER["phone"])) == 2
    signed_in = verify(client, challenge, last_code(client, WORKER["phone"]))
    assert signed_in.status_code == 200
    bearer = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    actions = [
        e["action"] for e in client.get("/api/v1/me/access-log", headers=bearer).json()["entries"]
    ]
    assert actions == ["person.resend_code", "person.search"]


def test_resending_needs_a_sign_in_in_progress(
    client: TestClient, container: Container, sign_in_staff: Callable[[str], Any]
) -> None:
    register(container, WORKER)
    operator = sign_in_staff("operator")
    person_id = staff_post(
        client,
        operator,
        "/api/v1/staff/persons/search",
        {"card_number": WORKER["card_number"], "purpose": PURPOSE},
    ).json()["id"]

    refused = staff_post(
        client, operator, f"/api/v1/staff/persons/{person_id}/resend-code", {"purpose": PURPOSE}
    )

    assert refused.status_code == 409
    assert refused.json()["code"] == "no_sign_in_in_progress"
    assert texts_to(client, WORKER["phone"]) == []


def test_an_operator_marks_a_card_lost_and_the_person_signs_in_by_passport(
    client: TestClient, container: Container, sign_in_staff: Callable[[str], Any]
) -> None:
    register(container, WORKER)
    operator = sign_in_staff("operator")
    person_id = staff_post(
        client,
        operator,
        "/api/v1/staff/persons/search",
        {"card_number": WORKER["card_number"], "purpose": PURPOSE},
    ).json()["id"]

    marked = staff_post(
        client,
        operator,
        f"/api/v1/staff/persons/{person_id}/mark-card-lost",
        {"purpose": "Card lost, reported at desk 3"},
    )
    again = staff_post(
        client,
        operator,
        f"/api/v1/staff/persons/{person_id}/mark-card-lost",
        {"purpose": "Card lost, reported at desk 3"},
    )

    assert marked.status_code == 200
    assert marked.json()["card_status"] == "lost"
    assert again.status_code == 409
    assert again.json()["code"] == "card_not_valid"
    with container.uow() as uow:
        [event] = card_events(uow, person_id)
        assert (event.kind, event.actor_role, event.actor_staff_id) == (
            "marked_lost",
            "operator",
            operator.staff_id,
        )
    ask_for_code(client, WORKER)
    assert texts_to(client, WORKER["phone"]) == []  # the lost card opens nothing
    asked = ask_for_code_by_passport(client, WORKER)
    signed_in = verify(client, asked.json()["challenge_id"], last_code(client, WORKER["phone"]))
    bearer = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    entries = client.get("/api/v1/me/access-log", headers=bearer).json()["entries"]
    assert [e["action"] for e in entries] == ["person.mark_card_lost", "person.search"]


def test_an_auditor_may_not_search_or_help(
    client: TestClient, container: Container, sign_in_staff: Callable[[str], Any]
) -> None:
    register(container, WORKER)
    operator = sign_in_staff("operator")
    person_id = staff_post(
        client,
        operator,
        "/api/v1/staff/persons/search",
        {"card_number": WORKER["card_number"], "purpose": PURPOSE},
    ).json()["id"]
    auditor = sign_in_staff("auditor")

    answers = [
        staff_post(
            client,
            auditor,
            "/api/v1/staff/persons/search",
            {"card_number": WORKER["card_number"], "purpose": PURPOSE},
        ),
        staff_post(
            client, auditor, f"/api/v1/staff/persons/{person_id}/resend-code", {"purpose": PURPOSE}
        ),
        staff_post(
            client,
            auditor,
            f"/api/v1/staff/persons/{person_id}/mark-card-lost",
            {"purpose": PURPOSE},
        ),
    ]

    assert [a.status_code for a in answers] == [403, 403, 403]
    assert {a.json()["code"] for a in answers} == {"forbidden"}


def test_staff_endpoints_need_a_staff_session(client: TestClient) -> None:
    refused = client.post(
        "/api/v1/staff/persons/search", json={"card_number": "7725100001", "purpose": PURPOSE}
    )
    assert refused.status_code == 401
