"""The console's case screens: the queue and its filters, the case file behind a stated purpose,
the inspector's decision, the supervisor's referral and objection queues, and who may do what.

People register through the API and stay silent; the daily sweep (the service the scheduler
runs) issues the notice and opens the case after the missed deadline (``case_support``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import httpx
import pytest
from case_support import (
    OBJECTION,
    at_moscow,
    case_of,
    person_with_a_case,
    registered_person,
    signed_in_again,
    sweep_on,
)
from fastapi.testclient import TestClient
from sqlalchemy import select

from amina.adapters.db.audit.tables import AuditEntryRow
from amina.bootstrap import Container
from amina.domain.decisions import DecisionKind, DecisionRequest
from amina.services.audit.trail import Actor
from amina.services.clock import FixedClock
from amina.services.compliance.cases import decide_case
from tests.conftest import StaffLogin

EN = {"Accept-Language": "en"}
RU = {"Accept-Language": "ru"}
PURPOSE = "Deciding the case after the missed deadline"
REASON = "No location data for two weeks and no answer to the notice of 11 November."
SignIn = Callable[[str], StaffLogin]


def queue_ids(page: str) -> list[str]:
    return re.findall(r'<tr data-case="([^"]+)"', page)


def open_file(
    client: TestClient, login: StaffLogin, case_id: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    return client.post(
        f"/console/cases/{case_id}",
        data={"purpose_code": "other", "purpose_details": PURPOSE, "csrf_token": login.csrf_token},
        headers=headers or EN,
    )


def decide(
    client: TestClient,
    login: StaffLogin,
    case_id: str,
    headers: dict[str, str] | None = None,
    **fields: str,
) -> httpx.Response:
    data = {
        "purpose_code": "other",
        "purpose_details": PURPOSE,
        "csrf_token": login.csrf_token,
        **fields,
    }
    return client.post(
        f"/console/cases/{case_id}/decision",
        data=data,
        headers=headers or EN,
        follow_redirects=False,
    )


def registration_status(client: TestClient, number: str) -> str:
    session = signed_in_again(client, number)
    answer = client.get("/api/v1/me/registrations", headers=session.bearer)
    assert answer.status_code == 200, answer.text
    return str(answer.json()[0]["status"])  # newest first


def audit_entries(container: Container, action: str) -> list[tuple[str | None, str | None, str]]:
    """(staff id, person id, purpose) of the audit entries of ``action``."""
    with container.uow() as uow:
        rows = uow.session.execute(
            select(AuditEntryRow.staff_id, AuditEntryRow.person_id, AuditEntryRow.purpose)
            .where(AuditEntryRow.action == action)
            .order_by(AuditEntryRow.seq)
        )
        return [(row.staff_id, row.person_id, row.purpose) for row in rows]


# --- the queue ----------------------------------------------------------------------------------


def test_the_case_queue_filters_by_status_age_and_deadline(
    client: TestClient, container: Container, clock: FixedClock, sign_in_staff: SignIn
) -> None:
    # A: registered 5 Nov → case on Mon 17 Nov (deadline 14 Nov);
    # B: registered 6 Nov → case on Tue 18 Nov (deadline 17 Nov).
    a = registered_person(client, container, clock, "7725100001", date(2025, 11, 5))
    b = registered_person(client, container, clock, "7725100002", date(2025, 11, 6))
    for day in (11, 12, 17, 18):
        sweep_on(container, clock, date(2025, 11, day))
    case_a, case_b = case_of(container, a.person_id), case_of(container, b.person_id)
    clock.set(at_moscow(date(2025, 11, 19)))
    inspector = sign_in_staff("inspector")

    page = client.get("/console/cases", headers=EN)
    assert page.status_code == 200
    assert queue_ids(page.text) == [case_a, case_b]  # oldest first
    assert "Rahimov" not in page.text  # the queue shows no names

    older = client.get("/console/cases", params={"older_than": "2"}, headers=EN)
    assert queue_ids(older.text) == [case_a]
    earlier = client.get(
        "/console/cases",
        params={"status": "open", "older_than": "", "deadline_before": "2025-11-15"},
        headers=EN,
    )
    assert queue_ids(earlier.text) == [case_a]

    assert decide(client, inspector, case_a, kind="dismiss", reason=REASON).status_code == 303
    assert queue_ids(client.get("/console/cases", headers=EN).text) == [case_b]
    decided = client.get("/console/cases", params={"status": "decided"}, headers=EN)
    assert queue_ids(decided.text) == [case_a]
    everything = client.get("/console/cases", params={"status": "all"}, headers=EN)
    assert queue_ids(everything.text) == [case_a, case_b]
    assert audit_entries(container, "case.queue")


# --- the case file ------------------------------------------------------------------------------


def test_a_case_file_is_not_shown_without_a_purpose(
    client: TestClient, container: Container, clock: FixedClock, sign_in_staff: SignIn
) -> None:
    _, case_id = person_with_a_case(client, container, clock)
    inspector = sign_in_staff("inspector")

    form = client.get(f"/console/cases/{case_id}", headers=EN)
    assert form.status_code == 200
    assert 'id="purpose-form"' in form.text
    assert "7725100001" not in form.text  # nothing of the person yet

    refused = client.post(
        f"/console/cases/{case_id}",
        data={"purpose_code": "", "purpose_details": "", "csrf_token": inspector.csrf_token},
        headers=RU,
    )
    assert refused.status_code == 422
    assert "Укажите цель" in refused.text
    assert "7725100001" not in refused.text
    assert audit_entries(container, "case.view_file") == []


def test_opening_a_case_file_with_a_purpose_shows_the_facts_and_is_audited(
    client: TestClient, container: Container, clock: FixedClock, sign_in_staff: SignIn
) -> None:
    session, case_id = person_with_a_case(client, container, clock)
    inspector = sign_in_staff("inspector")

    page = open_file(client, inspector, case_id)
    assert page.status_code == 200
    text = page.text
    assert "F. R." in text  # initials, not the full name
    assert "Ф. Р." in text
    assert "Rahimov" not in text
    assert "7725100001" in text
    assert session.person_id in text
    assert "Confirmation requested" in text
    # the timeline picture: one column per day, days off shaded, the silence, notice, deadline
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in text
    assert re.search(r'class="tl-day" data-day="2025-11-08" data-working="no"', text)
    assert re.search(
        r'class="tl-day" data-day="2025-11-10" data-working="yes" data-reports="0"', text
    )
    for marker, day in [
        ("silence", "2025-11-05"),
        ("notice", "2025-11-11"),
        ("deadline", "2025-11-14"),
        ("case", "2025-11-17"),
    ]:
        assert f'data-marker="{marker}" data-day="{day}"' in text, marker
    assert 'id="decision-form"' in text

    assert audit_entries(container, "case.view_file") == [
        (inspector.staff_id, session.person_id, PURPOSE)
    ]
    # the person sees who looked and why
    person = signed_in_again(client, "7725100001")
    log = client.get("/api/v1/me/access-log", headers=person.bearer).json()
    assert PURPOSE in [e["purpose"] for e in log["entries"]]


# --- deciding -----------------------------------------------------------------------------------


def test_a_decision_without_a_reason_is_refused_with_a_translated_message(
    client: TestClient, container: Container, clock: FixedClock, sign_in_staff: SignIn
) -> None:
    _, case_id = person_with_a_case(client, container, clock)
    inspector = sign_in_staff("inspector")
    refused = decide(client, inspector, case_id, headers=RU, kind="deregister", reason="  ")
    assert refused.status_code == 422
    assert 'data-code="reason_required"' in refused.text
    assert "Укажите причину" in refused.text
    assert 'id="decision-form"' in refused.text  # the form is still there, the case still open
    assert registration_status(client, "7725100001") == "confirmation_requested"
    assert audit_entries(container, "case.decide") == []


def test_an_inspector_deregisters_with_a_referral_that_waits_for_a_supervisor(
    client: TestClient, container: Container, clock: FixedClock, sign_in_staff: SignIn
) -> None:
    _, case_id = person_with_a_case(client, container, clock)
    inspector = sign_in_staff("inspector")
    done = decide(
        client,
        inspector,
        case_id,
        kind="deregister",
        reason=REASON,
        referral="yes",
        confirmed="yes",
    )
    assert done.status_code == 303
    assert "recorded" in client.get(done.headers["location"], headers=EN).text
    assert registration_status(client, "7725100001") == "deregistered"

    supervisor = sign_in_staff("supervisor")
    queue = client.get("/console/referrals", headers=EN)
    assert queue.status_code == 200
    referral_id = re.search(
        r'data-referral="([^"]+)" data-status="pending_confirmation"', queue.text
    )
    assert referral_id is not None
    assert REASON in queue.text  # the decision to review is shown with it
    confirmed = client.post(
        f"/console/referrals/{referral_id.group(1)}",
        data={
            "action": "confirm",
            "reason": "Checked the case file",
            "csrf_token": supervisor.csrf_token,
        },
        headers=EN,
        follow_redirects=False,
    )
    assert confirmed.status_code == 303
    assert "goes to the registry" in client.get(confirmed.headers["location"], headers=EN).text
    sent = client.get("/console/referrals", params={"status": "confirmed"}, headers=EN)
    assert f'data-referral="{referral_id.group(1)}" data-status="confirmed"' in sent.text
    [(staff_id, _, purpose)] = audit_entries(container, "referral.confirm")
    assert staff_id == supervisor.staff_id
    assert purpose == "Checked the case file"


def test_the_staff_member_who_decided_cannot_confirm_the_referral(
    client: TestClient, container: Container, clock: FixedClock, sign_in_staff: SignIn
) -> None:
    _, case_id = person_with_a_case(client, container, clock)
    supervisor = sign_in_staff("supervisor")
    # The same staff member decided the case while they were an inspector.
    with container.uow() as uow:
        decide_case(
            uow,
            clock,
            Actor(staff_id=supervisor.staff_id, role="inspector"),
            case_id,
            DecisionRequest(DecisionKind.deregister, REASON, None, referral=True),
        )
        uow.commit()
    queue = client.get("/console/referrals", headers=EN)
    assert "You took this decision" in queue.text
    referral_id = re.search(r'data-referral="([^"]+)"', queue.text)
    assert referral_id is not None
    refused = client.post(
        f"/console/referrals/{referral_id.group(1)}",
        data={
            "action": "confirm",
            "reason": "Looks right to me",
            "csrf_token": supervisor.csrf_token,
        },
        headers=RU,
    )
    assert refused.status_code == 403
    assert 'data-code="four_eyes_required"' in refused.text
    assert (
        f'data-referral="{referral_id.group(1)}" data-status="pending_confirmation"' in refused.text
    )
    assert audit_entries(container, "referral.confirm") == []


def test_a_referral_is_rejected_only_with_a_reason(
    client: TestClient, container: Container, clock: FixedClock, sign_in_staff: SignIn
) -> None:
    _, case_id = person_with_a_case(client, container, clock)
    inspector = sign_in_staff("inspector")
    decide(
        client,
        inspector,
        case_id,
        kind="deregister",
        reason=REASON,
        referral="yes",
        confirmed="yes",
    )
    supervisor = sign_in_staff("supervisor")
    referral_id = re.search(r'data-referral="([^"]+)"', client.get("/console/referrals").text)
    assert referral_id is not None
    url = f"/console/referrals/{referral_id.group(1)}"
    without = client.post(
        url,
        data={"action": "reject", "reason": "", "csrf_token": supervisor.csrf_token},
        headers=EN,
    )
    assert without.status_code == 422
    assert 'data-code="reason_required"' in without.text
    rejected = client.post(
        url,
        data={
            "action": "reject",
            "reason": "A first missed deadline does not justify a referral.",
            "csrf_token": supervisor.csrf_token,
        },
        headers=EN,
        follow_redirects=False,
    )
    assert rejected.status_code == 303
    assert "deregistration stands" in client.get(rejected.headers["location"], headers=EN).text
    assert registration_status(client, "7725100001") == "deregistered"


# --- objections ---------------------------------------------------------------------------------


def test_a_supervisor_overturns_an_objection_and_the_registration_is_active_again(
    client: TestClient, container: Container, clock: FixedClock, sign_in_staff: SignIn
) -> None:
    _, case_id = person_with_a_case(client, container, clock)
    inspector = sign_in_staff("inspector")
    decide(
        client,
        inspector,
        case_id,
        kind="deregister",
        reason=REASON,
        referral="yes",
        confirmed="yes",
    )

    person = signed_in_again(client, "7725100001")
    [decision] = client.get("/api/v1/me/decisions", headers=person.bearer).json()
    objected = client.post(
        f"/api/v1/me/decisions/{decision['id']}/objection",
        json={"text": OBJECTION},
        headers=person.bearer,
    )
    assert objected.status_code == 201, objected.text

    supervisor = sign_in_staff("supervisor")
    queue = client.get("/console/objections", headers=EN)
    assert queue.status_code == 200
    assert OBJECTION in queue.text
    assert REASON in queue.text
    objection_id = re.search(r'<li class="card stack" data-objection="([^"]+)"', queue.text)
    assert objection_id is not None
    url = f"/console/objections/{objection_id.group(1)}"
    without = client.post(
        url,
        data={"outcome": "overturn", "reason": "", "csrf_token": supervisor.csrf_token},
        headers=EN,
    )
    assert without.status_code == 422
    assert registration_status(client, "7725100001") == "deregistered"

    overturned = client.post(
        url,
        data={
            "outcome": "overturn",
            "reason": "The hospital certificate explains the silence.",
            "csrf_token": supervisor.csrf_token,
        },
        headers=EN,
        follow_redirects=False,
    )
    assert overturned.status_code == 303
    assert "Overturned" in client.get(overturned.headers["location"], headers=EN).text
    assert registration_status(client, "7725100001") == "active"
    page = client.get("/console/objections", params={"decided": "true"}, headers=EN)
    assert 'data-outcome="overturn"' in page.text
    closed = client.get("/console/cases", params={"status": "closed"}, headers=EN)
    assert queue_ids(closed.text) == [case_id]


# --- roles --------------------------------------------------------------------------------------


def test_an_operator_sees_the_case_file_without_location_data_and_cannot_decide(
    client: TestClient, container: Container, clock: FixedClock, sign_in_staff: SignIn
) -> None:
    _, case_id = person_with_a_case(client, container, clock)
    operator = sign_in_staff("operator")
    assert 'href="/console/cases"' in client.get("/console", headers=EN).text
    page = open_file(client, operator, case_id)
    assert page.status_code == 200
    assert 'id="timeline-hidden"' in page.text
    assert "tl-day" not in page.text
    assert "Last location report" not in page.text
    assert "Last contact from the phone" not in page.text
    assert 'id="decision-form"' not in page.text
    assert decide(client, operator, case_id, kind="dismiss", reason=REASON).status_code == 403
    assert audit_entries(container, "case.decide") == []


@pytest.mark.parametrize(
    ("role", "refused"),
    [
        ("inspector", ["/console/referrals", "/console/objections", "/console/policy"]),
        ("operator", ["/console/referrals", "/console/objections"]),
        ("auditor", ["/console/cases", "/console/referrals", "/console/objections"]),
    ],
)
def test_each_queue_is_open_only_to_the_roles_that_work_it(
    client: TestClient, sign_in_staff: SignIn, role: str, refused: list[str]
) -> None:
    sign_in_staff(role)
    for path in refused:
        assert client.get(path, headers=EN).status_code == 403, path
