"""Staff see a person's registrations with their history only after stating a purpose; the access
is audited and shows in the person's own access log."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from registration_support import PODOLSK, person, registered
from staff_login import StaffLogin

from amina.bootstrap import Container

PURPOSE = "Visitor at the MMC desk asks about his address change"


def test_an_operator_who_states_a_purpose_sees_registrations_with_their_history(
    client: TestClient, container: Container, sign_in_staff: Callable[[str], StaffLogin]
) -> None:
    me = person(client, container)
    first = registered(client, me)
    second = registered(client, me, address=PODOLSK)
    operator = sign_in_staff("operator")

    answer = client.get(
        f"/api/v1/staff/persons/{me.person_id}/registrations", params={"purpose": PURPOSE}
    )

    assert answer.status_code == 200
    seen = answer.json()
    assert [r["id"] for r in seen] == [second["id"], first["id"]]
    assert [e["kind"] for e in seen[1]["events"]] == ["registered", "closed"]
    log = client.get("/api/v1/me/access-log", headers=me.bearer).json()["entries"]
    assert [(e["action"], e["purpose"], e["staff_id"], e["role"]) for e in log] == [
        ("registration.view", PURPOSE, operator.staff_id, "operator")
    ]


def test_staff_without_a_purpose_see_nothing_and_nothing_is_logged(
    client: TestClient, container: Container, sign_in_staff: Callable[[str], StaffLogin]
) -> None:
    me = person(client, container)
    registered(client, me)
    sign_in_staff("inspector")
    path = f"/api/v1/staff/persons/{me.person_id}/registrations"

    missing = client.get(path)
    too_short = client.get(path, params={"purpose": "x"})

    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["purpose"]
    assert too_short.status_code == 422
    assert too_short.json()["code"] == "purpose_required"
    assert client.get("/api/v1/me/access-log", headers=me.bearer).json()["entries"] == []


def test_an_auditor_may_not_see_registrations(
    client: TestClient, container: Container, sign_in_staff: Callable[[str], StaffLogin]
) -> None:
    me = person(client, container)
    registered(client, me)
    sign_in_staff("auditor")

    answer = client.get(
        f"/api/v1/staff/persons/{me.person_id}/registrations", params={"purpose": PURPOSE}
    )

    assert answer.status_code == 403
    assert answer.json()["code"] == "forbidden"


def test_signed_out_staff_are_asked_to_sign_in(client: TestClient, container: Container) -> None:
    me = person(client, container)

    answer = client.get(
        f"/api/v1/staff/persons/{me.person_id}/registrations", params={"purpose": PURPOSE}
    )

    assert answer.status_code == 401
