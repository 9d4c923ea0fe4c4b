"""The operator's console tools: find a person (card, passport, name, phone) after choosing a
purpose, help with enrolment (new code, card lost) and a person's registration history — each
audited with its purpose and shown to the person, each refused to the roles that may not.
SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import httpx
import pytest
from case_support import registered_person
from fastapi.testclient import TestClient
from sign_in_support import WORKER, ask_for_code, register, sign_in
from sqlalchemy import select

from amina.adapters.db.audit.tables import AuditEntryRow
from amina.bootstrap import Container
from amina.services.clock import FixedClock
from tests.conftest import StaffLogin

EN = {"Accept-Language": "en"}
RU = {"Accept-Language": "ru"}
SignIn = Callable[[str], StaffLogin]


def search(
    client: TestClient, login: StaffLogin, headers: dict[str, str] | None = None, **fields: str
) -> httpx.Response:
    data = {"reason": "cannot_sign_in", "details": "desk 3", "csrf_token": login.csrf_token}
    return client.post("/console/persons", data={**data, **fields}, headers=headers or EN)


def people_shown(page: str) -> list[str]:
    return re.findall(r'data-person="([^"]+)"', page)


def audit_entries(container: Container, action: str) -> list[AuditEntryRow]:
    with container.uow() as uow:
        rows = list(
            uow.session.scalars(select(AuditEntryRow).where(AuditEntryRow.action == action))
        )
        uow.session.expunge_all()
        return rows


def test_an_operator_finds_a_person_by_card_and_the_person_sees_why(
    client: TestClient, container: Container, sign_in_staff: SignIn
) -> None:
    register(container, WORKER)
    operator = sign_in_staff("operator")

    found = search(client, operator, by="card", card_number=WORKER["card_number"])

    assert found.status_code == 200, found.text
    assert "Rahimov" in found.text
    assert WORKER["phone"] not in found.text  # masked
    [person_id] = people_shown(found.text)
    person = sign_in(client, WORKER, **EN)
    assert person.person_id == person_id
    [entry] = client.get("/api/v1/me/access-log", headers=person.bearer).json()["entries"]
    assert entry["action"] == "person.search"
    assert entry["purpose"] == "The person is at the desk and cannot sign in: desk 3"


@pytest.mark.parametrize(
    "fields",
    [
        {"by": "passport", "citizenship": "tj", "passport_number": "4001 23456"},
        {"by": "name", "surname": "рахимов"},
        {
            "by": "name",
            "surname": "RAHIMOV",
            "given_names": "farhod",
            "date_of_birth": "1992-05-01",
        },
        {"by": "phone", "phone": "8 (900) 111-00-01"},
    ],
    ids=["passport", "cyrillic-surname", "latin-name-and-birth-date", "phone"],
)
def test_an_operator_finds_a_person_by_passport_name_or_phone(
    client: TestClient, container: Container, sign_in_staff: SignIn, fields: dict[str, str]
) -> None:
    register(container, WORKER)
    operator = sign_in_staff("operator")

    found = search(client, operator, **fields)

    assert found.status_code == 200, found.text
    assert len(people_shown(found.text)) == 1
    assert "Rahimov" in found.text


def test_a_search_without_a_purpose_shows_nobody_and_a_failed_one_is_audited(
    client: TestClient, container: Container, sign_in_staff: SignIn
) -> None:
    register(container, WORKER)
    operator = sign_in_staff("operator")

    no_reason = search(client, operator, reason="", by="card", card_number=WORKER["card_number"])
    other_without_words = search(
        client, operator, reason="other", details="", by="card", card_number=WORKER["card_number"]
    )
    assert no_reason.status_code == other_without_words.status_code == 422
    assert 'data-code="purpose_required"' in no_reason.text
    assert not people_shown(no_reason.text)
    assert "Rahimov" not in no_reason.text
    assert audit_entries(container, "person.search") == []

    empty = search(client, operator, by="passport", citizenship="TJ", passport_number=" ")
    assert empty.status_code == 422
    assert 'data-code="search_query_missing"' in empty.text
    assert audit_entries(container, "person.search") == []

    nobody = search(client, operator, by="name", surname="Nobodyov")
    assert nobody.status_code == 404
    assert 'data-code="person_not_found"' in nobody.text
    [entry] = audit_entries(container, "person.search")
    assert entry.person_id is None


@pytest.mark.parametrize("role", ["inspector", "supervisor", "auditor"])
def test_only_operators_search_and_help(
    client: TestClient, container: Container, sign_in_staff: SignIn, role: str
) -> None:
    register(container, WORKER)
    login = sign_in_staff(role)

    form = client.get("/console/persons", headers=EN)
    found = search(client, login, by="card", card_number=WORKER["card_number"])
    lost = client.post(
        "/console/persons/any/mark-card-lost",
        data={"reason": "card_lost", "csrf_token": login.csrf_token},
        headers=EN,
    )

    assert form.status_code == found.status_code == lost.status_code == 403
    assert "Rahimov" not in found.text
    assert audit_entries(container, "person.search") == []


def test_the_operator_home_page_links_the_tools(client: TestClient, sign_in_staff: SignIn) -> None:
    sign_in_staff("operator")

    home = client.get("/console", headers=EN).text

    assert '<a href="/console/persons">Find a person</a>' in home
    assert '<a href="/console/persons">Help with enrolment</a>' in home
    assert "Coming in a later release" not in home.split("Work patents")[0]


def test_an_operator_sends_a_new_code_for_a_sign_in_in_progress(
    client: TestClient, container: Container, sign_in_staff: SignIn
) -> None:
    register(container, WORKER)
    operator = sign_in_staff("operator")
    [person_id] = people_shown(search(client, operator, card_number=WORKER["card_number"]).text)
    data = {"reason": "code_not_arriving", "details": "", "csrf_token": operator.csrf_token}

    too_early = client.post(f"/console/persons/{person_id}/resend-code", data=data, headers=EN)
    assert too_early.status_code == 409
    assert 'data-code="no_sign_in_in_progress"' in too_early.text

    assert ask_for_code(client, WORKER).status_code == 202
    sent = client.post(f"/console/persons/{person_id}/resend-code", data=data, headers=EN)
    assert sent.status_code == 200, sent.text
    assert "A new code was sent to +7" in sent.text
    [entry] = audit_entries(container, "person.resend_code")
    assert (entry.purpose, entry.details["purpose_code"]) == ("", "code_not_arriving")


def test_an_operator_marks_a_card_lost(
    client: TestClient, container: Container, sign_in_staff: SignIn
) -> None:
    register(container, WORKER)
    operator = sign_in_staff("operator")
    [person_id] = people_shown(search(client, operator, card_number=WORKER["card_number"]).text)
    data = {"reason": "card_lost", "details": "", "csrf_token": operator.csrf_token}

    lost = client.post(f"/console/persons/{person_id}/mark-card-lost", data=data, headers=EN)
    again = client.post(f"/console/persons/{person_id}/mark-card-lost", data=data, headers=EN)

    assert lost.status_code == 200, lost.text
    assert "The card is marked lost" in lost.text
    assert again.status_code == 409
    assert 'data-code="card_not_valid"' in again.text
    shown = search(client, operator, card_number=WORKER["card_number"])
    assert 'data-card-status="lost"' in shown.text


@pytest.mark.parametrize("role", ["operator", "inspector", "supervisor"])
def test_staff_see_a_persons_registration_history_after_stating_why(
    client: TestClient,
    container: Container,
    clock: FixedClock,
    sign_in_staff: SignIn,
    role: str,
) -> None:
    person = registered_person(client, container, clock, "7725200001", date(2026, 11, 2))
    login = sign_in_staff(role)
    address = f"/console/persons/{person.person_id}/registrations"

    asked = client.get(address, headers=EN)
    assert asked.status_code == 200
    assert "data-registration" not in asked.text

    shown = client.post(
        address,
        data={"reason": "case_work", "details": "", "csrf_token": login.csrf_token},
        headers=RU,
    )
    assert shown.status_code == 200, shown.text
    assert "data-registration=" in shown.text
    assert 'data-event="registered"' in shown.text
    assert "Тверская" in shown.text or "Tverskaya" in shown.text
    [entry] = audit_entries(container, "registration.view")
    assert entry.person_id == person.person_id
    assert entry.role == role


def test_an_auditor_sees_no_registration_history(
    client: TestClient, container: Container, clock: FixedClock, sign_in_staff: SignIn
) -> None:
    person = registered_person(client, container, clock, "7725200001", date(2026, 11, 2))
    auditor = sign_in_staff("auditor")

    refused = client.post(
        f"/console/persons/{person.person_id}/registrations",
        data={"reason": "case_work", "csrf_token": auditor.csrf_token},
        headers=EN,
    )

    assert refused.status_code == 403
    assert "data-registration" not in refused.text
    assert audit_entries(container, "registration.view") == []
