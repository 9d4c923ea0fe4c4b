"""Reasons in the person's language (issue 13, point 3): an inspector decides with a standard
reason (policy data, translated in every language) and a note in Russian; a Georgian reader
reads the reason in Georgian and the note as written, marked as written in Russian. A
deregistration (and a referral) is final only after the console's confirmation, which shows
what it does.

Runs on SQLite and PostgreSQL (the ``client`` fixture).
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
from case_support import person_with_a_case, signed_in_again
from fastapi.testclient import TestClient
from sqlalchemy import select

from amina.adapters.db.audit.tables import AuditEntryRow
from amina.bootstrap import Container
from amina.i18n import Translator
from amina.services.clock import FixedClock
from amina.services.compliance.messages import NOTE_WRITTEN_IN, STANDARD_REASON_TEXTS
from tests.conftest import StaffLogin

RU = {"Accept-Language": "ru"}
EN = {"Accept-Language": "en"}
PURPOSE = "Deciding the case after the missed deadline"
NOTE = "Звонили по телефону 14 ноября, никто не ответил."
SignIn = Callable[[str], StaffLogin]
KA = Translator("ka")


def decide(client: TestClient, login: StaffLogin, case_id: str, **fields: str) -> httpx.Response:
    data = {
        "purpose_code": "other",
        "purpose_details": PURPOSE,
        "csrf_token": login.csrf_token,
        **fields,
    }
    return client.post(
        f"/console/cases/{case_id}/decision", data=data, headers=RU, follow_redirects=False
    )


def registration_status(client: TestClient, number: str) -> str:
    session = signed_in_again(client, number)
    answer = client.get("/api/v1/me/registrations", headers=session.bearer)
    assert answer.status_code == 200, answer.text
    return str(answer.json()[0]["status"])


def decisions_taken(container: Container) -> int:
    with container.uow() as uow:
        return len(
            uow.session.scalars(
                select(AuditEntryRow).where(AuditEntryRow.action == "case.decide")
            ).all()
        )


def test_a_georgian_reader_reads_the_standard_reason_in_georgian_and_the_note_as_written(
    client: TestClient, container: Container, clock: FixedClock, sign_in_staff: SignIn
) -> None:
    _, case_id = person_with_a_case(client, container, clock)
    inspector = sign_in_staff("inspector")
    done = decide(
        client,
        inspector,
        case_id,
        kind="extend_deadline",
        new_deadline="2025-11-21",
        reason_code="phone_fault",
        reason=NOTE,
    )
    assert done.status_code == 303, done.text

    person = signed_in_again(client, "7725100001")
    changed = client.patch("/api/v1/me", json={"language": "ka"}, headers=person.bearer)
    assert changed.status_code == 200, changed.text
    [decision] = client.get("/api/v1/me/decisions", headers=person.bearer).json()
    georgian_reason = KA.gettext(STANDARD_REASON_TEXTS["phone_fault"])
    assert georgian_reason != STANDARD_REASON_TEXTS["phone_fault"]  # really Georgian
    marked = KA.gettext(NOTE_WRITTEN_IN, language="რუსული", note=NOTE)
    assert decision["reason_code"] == "phone_fault"
    assert decision["standard_reason"] == georgian_reason
    assert decision["note"] == NOTE
    assert decision["note_language"] == "ru"
    assert decision["note_language_name"] == "რუსული"
    assert f"{georgian_reason} {marked}" in decision["text"]
    assert "ინსპექტორის" in decision["text"]  # "written by the inspector", in Georgian
    # The in-app inbox says the same, in Georgian.
    inbox = client.get("/api/v1/me/inbox", headers=person.bearer).json()
    [message] = [m for m in inbox if m["kind"] == "decision"]
    assert georgian_reason in message["text"]
    assert marked in message["text"]
    # The person's data export keeps the standard reason, the note and its language.
    export = client.get("/api/v1/me/export", headers=person.bearer).json()
    [exported] = export["decisions"]
    assert exported["decision"]["reason_code"] == "phone_fault"
    assert exported["decision"]["reason_note"] == NOTE
    assert exported["decision"]["note_language"] == "ru"

    # The inspector's case file keeps the reason as given, in the console's language.
    opened = client.post(
        f"/console/cases/{case_id}",
        data={
            "purpose_code": "other",
            "purpose_details": PURPOSE,
            "csrf_token": inspector.csrf_token,
        },
        headers=RU,
    )
    russian = Translator("ru").gettext(STANDARD_REASON_TEXTS["phone_fault"])
    assert f"{russian} {NOTE}" in opened.text


def test_a_standard_reason_needs_no_note_and_must_fit_the_decision(
    client: TestClient, container: Container, clock: FixedClock, sign_in_staff: SignIn
) -> None:
    _, case_id = person_with_a_case(client, container, clock)
    inspector = sign_in_staff("inspector")
    unfit = decide(client, inspector, case_id, kind="dismiss", reason_code="no_data_no_answer")
    assert unfit.status_code == 422
    assert 'data-code="reason_code_not_for_decision"' in unfit.text
    unknown = decide(client, inspector, case_id, kind="dismiss", reason_code="because")
    assert unknown.status_code == 422
    assert 'data-code="reason_code_unknown"' in unknown.text
    assert decisions_taken(container) == 0

    done = decide(client, inspector, case_id, kind="dismiss", reason_code="reports_arrived_late")
    assert done.status_code == 303, done.text
    person = signed_in_again(client, "7725100001")
    client.patch("/api/v1/me", json={"language": "uz"}, headers=person.bearer)
    [decision] = client.get("/api/v1/me/decisions", headers=person.bearer).json()
    uzbek = Translator("uz").gettext(STANDARD_REASON_TEXTS["reports_arrived_late"])
    assert decision["standard_reason"] == uzbek
    assert uzbek in decision["text"]
    assert decision["note"] is None


def test_a_deregistration_is_not_final_until_the_inspector_confirms_its_consequences(
    client: TestClient, container: Container, clock: FixedClock, sign_in_staff: SignIn
) -> None:
    _, case_id = person_with_a_case(client, container, clock)
    inspector = sign_in_staff("inspector")
    fields = {
        "kind": "deregister",
        "reason_code": "no_data_no_answer",
        "reason": NOTE,
        "referral": "yes",
    }
    asked = decide(client, inspector, case_id, **fields)
    assert asked.status_code == 200
    assert 'id="decision-confirm-form"' in asked.text
    assert "Что сделает это решение" in asked.text  # the summary of consequences, in Russian
    assert 'id="consequence-referral"' in asked.text
    assert "снят с учёта" in asked.text
    assert "реестр контролируемых лиц" in asked.text
    # Nothing has happened yet.
    assert registration_status(client, "7725100001") == "confirmation_requested"
    assert decisions_taken(container) == 0
    person = signed_in_again(client, "7725100001")
    assert client.get("/api/v1/me/decisions", headers=person.bearer).json() == []

    confirmed = decide(client, inspector, case_id, confirmed="yes", **fields)
    assert confirmed.status_code == 303, confirmed.text
    assert registration_status(client, "7725100001") == "deregistered"
    assert decisions_taken(container) == 1


def test_the_staff_api_takes_a_standard_reason_code(
    client: TestClient, container: Container, clock: FixedClock, sign_in_staff: SignIn
) -> None:
    _, case_id = person_with_a_case(client, container, clock)
    inspector = sign_in_staff("inspector")
    answer = client.post(
        f"/api/v1/staff/cases/{case_id}/decisions",
        json={"kind": "dismiss", "reason_code": "serious_personal_reason"},
        headers={**EN, "X-CSRF-Token": inspector.csrf_token},
    )
    assert answer.status_code == 201, answer.text
    decision = answer.json()["decision"]
    assert decision["reason_code"] == "serious_personal_reason"
    assert decision["reason"] == STANDARD_REASON_TEXTS["serious_personal_reason"]
