"""Due process after a missed deadline (SPEC §7, §10; issue 6 points 5–7, 9), on SQLite and
PostgreSQL: the inspector decides with a written reason, a supervisor confirms the referral
(four eyes), the outbox delivers it to the registry exactly once even after a crash, the person
objects, a supervisor overturns; every staff access is audited and visible to the person."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from compliance_support import Phone, deliver, enrol, moscow_time, sweep_on
from fastapi.testclient import TestClient
from staff_login import StaffLogin

from amina.adapters.external.controlled_persons import LocalControlledPersonsRegistry
from amina.bootstrap import Container
from amina.services.audit.trail import Actor
from amina.services.clock import FixedClock
from amina.services.compliance.referrals import confirm_referral
from amina.services.delivery.channels import DeliveryChannels
from amina.services.delivery.outbox import CLAIM_FOR, deliver_due
from amina.services.errors import AminaError

SignInStaff = Callable[[str], StaffLogin]
PURPOSE = "Deciding the case of a missed deadline"
REASON = "No answer to the notice and no location data for three weeks."


@pytest.fixture
def case_of(client: TestClient, container: Container, clock: FixedClock) -> Phone:
    """A person silent since Thu 30 Oct 2025, noticed on 6 Nov, case opened on 12 Nov."""
    phone = enrol(client, container, clock, "7725200001", date(2025, 10, 20))
    phone.report_every_day(date(2025, 10, 27), date(2025, 10, 30))
    sweep_on(container, clock, date(2025, 11, 6))
    assert sweep_on(container, clock, date(2025, 11, 12)).cases == 1
    clock.set(moscow_time(date(2025, 11, 12), 10))
    return phone


def staff_get(client: TestClient, path: str, **params: Any) -> Any:
    return client.get(path, params=params)


def staff_post(client: TestClient, login: StaffLogin, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json=body, headers={"X-CSRF-Token": login.csrf_token})


def only_case(client: TestClient) -> dict[str, Any]:
    queue = client.get("/api/v1/staff/cases")
    assert queue.status_code == 200, queue.text
    [case] = queue.json()
    return dict(case)


class Crash(BaseException):
    """The worker process dies (not an error the worker could catch and record)."""


class CrashAfterSubmit:
    """The registry receives the message, then the worker dies before recording the send."""

    def __init__(self, registry: Any) -> None:
        self.registry = registry

    def submit(self, message: Any, idempotency_key: str) -> None:
        self.registry.submit(message, idempotency_key)
        raise Crash


def test_an_inspector_deregisters_a_supervisor_confirms_the_person_objects_and_it_is_overturned(
    case_of: Phone,
    client: TestClient,
    container: Container,
    clock: FixedClock,
    sign_in_staff: SignInStaff,
) -> None:
    person = case_of
    inspector = sign_in_staff("inspector")
    case = only_case(client)
    assert case["person_id"] == person.person_id
    assert case["missed_deadline"] == "2025-11-11"

    # the case file: the facts, with a purpose
    without_purpose = client.get(f"/api/v1/staff/cases/{case['id']}", params={"purpose": ""})
    assert without_purpose.status_code == 422
    opened = client.get(f"/api/v1/staff/cases/{case['id']}", params={"purpose": PURPOSE})
    assert opened.status_code == 200, opened.text
    file = opened.json()
    timeline = {day["day"]: day for day in file["timeline"]}
    assert timeline["2025-10-30"]["reports"] == 1
    assert timeline["2025-11-05"]["reports"] == 0
    assert timeline["2025-11-04"]["working_day"] is False
    assert file["notice"]["deadline"] == "2025-11-11"
    assert file["notice"]["facts"]["last_report_day"] == "2025-10-30"
    assert file["registration"]["status"] == "confirmation_requested"

    # a decision needs a written reason
    no_reason = staff_post(
        client,
        inspector,
        f"/api/v1/staff/cases/{case['id']}/decisions",
        {"kind": "deregister", "reason": " "},
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["code"] == "reason_required"
    decided = staff_post(
        client,
        inspector,
        f"/api/v1/staff/cases/{case['id']}/decisions",
        {"kind": "deregister", "reason": REASON, "referral": True},
    )
    assert decided.status_code == 201, decided.text
    referral = decided.json()["referral"]
    assert referral["status"] == "pending_confirmation"
    assert person.registration()["status"] == "deregistered"

    # the person reads the decision with the reason and how to object
    [decision] = person.get("/api/v1/me/decisions")
    assert decision["kind"] == "deregister"
    assert decision["reason"] == REASON
    assert REASON in decision["text"]
    assert decision["objection_until"] == "2025-11-22"
    assert "November 22, 2025" in decision["how_to_object"]
    assert decision["may_object"] is True
    assert decision["referral"] == "pending_confirmation"
    assert person.inbox()[0]["kind"] == "decision"

    # four eyes: the deciding inspector's id cannot confirm, even with a supervisor's role
    with container.uow() as uow, pytest.raises(AminaError) as refused:
        confirm_referral(
            uow, clock, Actor(inspector.staff_id, "supervisor"), referral["id"], PURPOSE
        )
    assert refused.value.code == "four_eyes_required"

    supervisor = sign_in_staff("supervisor")
    assert [r["id"] for r in client.get("/api/v1/staff/referrals").json()] == [referral["id"]]
    confirmed = staff_post(
        client,
        supervisor,
        f"/api/v1/staff/referrals/{referral['id']}/confirm",
        {"purpose": "Confirming the referral after reading the case file"},
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "confirmed"

    # the outbox delivers it; the worker dies after the registry got it, before recording it
    local_registry = container.delivery.registry
    assert isinstance(local_registry, LocalControlledPersonsRegistry)
    crashing = DeliveryChannels(
        container.delivery.sms, container.delivery.push, CrashAfterSubmit(local_registry)
    )
    with pytest.raises(Crash):  # the SMS go out, then the registry gets its message: crash
        deliver_due(container.uow, clock, crashing)
    clock.advance(CLAIM_FOR + timedelta(seconds=1))
    deliver(container, clock)
    received = [r for r in local_registry.received() if r.payload["type"] == "referral"]
    assert len(received) == 1
    assert received[0].payload["referral_id"] == referral["id"]
    assert received[0].payload["decision"]["reason"] == REASON
    assert (
        client.get("/api/v1/staff/referrals", params={"status": "sent"}).json()[0]["id"]
        == (referral["id"])
    )

    # the person objects (idempotently) and the case goes to a supervisor
    headers = {**person.bearer(), "Idempotency-Key": "objection-1"}
    body = {"text": "My phone was stolen on 30 October; I reported it to the police."}
    objected = client.post(
        f"/api/v1/me/decisions/{decision['id']}/objection", json=body, headers=headers
    )
    assert objected.status_code == 201, objected.text
    again = client.post(
        f"/api/v1/me/decisions/{decision['id']}/objection", json=body, headers=headers
    )
    assert again.status_code == 201
    assert again.json()["id"] == objected.json()["id"]
    assert (
        client.get("/api/v1/staff/cases", params={"status": "reopened"}).json()[0]["id"]
        == (case["id"])
    )
    clock.advance(timedelta(hours=2))  # the supervisor looks at it later that day
    [waiting] = client.get("/api/v1/staff/objections").json()
    overturned = staff_post(
        client,
        supervisor,
        f"/api/v1/staff/objections/{waiting['id']}/decision",
        {"outcome": "overturn", "reason": "The police report shows the phone was stolen."},
    )
    assert overturned.status_code == 200, overturned.text
    assert overturned.json()["outcome"] == "overturn"

    # registration active again, referral withdrawn, the registry told, the person told
    assert person.registration()["status"] == "active"
    [decision] = person.get("/api/v1/me/decisions")
    assert decision["referral"] == "withdrawn"
    assert decision["objection"]["outcome"] == "overturn"
    deliver(container, clock)
    withdrawals = [r for r in local_registry.received() if r.payload["type"] == "withdrawal"]
    assert [w.payload["referral_id"] for w in withdrawals] == [referral["id"]]
    told = person.inbox()[0]
    assert told["kind"] == "objection_decided"
    assert "Your registration is active again." in told["text"]
    assert (
        client.get("/api/v1/staff/cases", params={"status": "closed"}).json()[0]["id"]
        == (case["id"])
    )

    # every staff access to the person's data is in their access log, with its purpose
    log = person.get("/api/v1/me/access-log")["entries"]
    seen = {(entry["action"], entry["purpose"]) for entry in log}
    assert ("case.view_file", PURPOSE) in seen
    assert ("case.decide", REASON) in seen
    assert ("referral.confirm", "Confirming the referral after reading the case file") in seen
    assert ("objection.decide", "The police report shows the phone was stolen.") in seen
    assert all(entry["staff_id"] for entry in log)


def test_dismissing_a_case_makes_the_registration_active_again(
    case_of: Phone, client: TestClient, sign_in_staff: SignInStaff
) -> None:
    inspector = sign_in_staff("inspector")
    case = only_case(client)
    decided = staff_post(
        client,
        inspector,
        f"/api/v1/staff/cases/{case['id']}/decisions",
        {"kind": "dismiss", "reason": "The person called: the phone was in repair."},
    )
    assert decided.status_code == 201, decided.text
    assert case_of.registration()["status"] == "active"
    [decision] = case_of.get("/api/v1/me/decisions")
    assert decision["may_object"] is False
    assert decision["how_to_object"] is None


def test_an_extended_deadline_that_is_missed_again_opens_a_new_case(
    case_of: Phone,
    client: TestClient,
    container: Container,
    clock: FixedClock,
    sign_in_staff: SignInStaff,
) -> None:
    inspector = sign_in_staff("inspector")
    case = only_case(client)
    decided = staff_post(
        client,
        inspector,
        f"/api/v1/staff/cases/{case['id']}/decisions",
        {
            "kind": "extend_deadline",
            "reason": "The person is in hospital until next week.",
            "new_deadline": "2025-11-19",
        },
    )
    assert decided.status_code == 201, decided.text
    [notice] = case_of.notices()
    assert (notice["status"], notice["deadline"]) == ("open", "2025-11-19")
    assert "November 19, 2025" in case_of.inbox()[0]["text"]
    assert sweep_on(container, clock, date(2025, 11, 19)).cases == 0
    assert sweep_on(container, clock, date(2025, 11, 20)).cases == 1
    sign_in_staff("inspector")  # a new working day, a new session
    [again] = client.get("/api/v1/staff/cases").json()
    assert again["id"] != case["id"]
    assert again["missed_deadline"] == "2025-11-19"


@pytest.mark.parametrize(
    ("role", "method", "path", "body"),
    [
        (
            "operator",
            "post",
            "/api/v1/staff/cases/{case}/decisions",
            {"kind": "dismiss", "reason": REASON},
        ),
        ("inspector", "get", "/api/v1/staff/referrals", None),
        ("inspector", "post", "/api/v1/staff/referrals/{case}/confirm", {"purpose": PURPOSE}),
        ("inspector", "get", "/api/v1/staff/objections", None),
        (
            "supervisor",
            "post",
            "/api/v1/staff/cases/{case}/decisions",
            {"kind": "dismiss", "reason": REASON},
        ),
        ("auditor", "get", "/api/v1/staff/cases", None),
        ("auditor", "get", "/api/v1/staff/cases/{case}?purpose=curiosity+only", None),
    ],
)
def test_each_role_may_do_only_its_part(
    case_of: Phone,
    client: TestClient,
    sign_in_staff: SignInStaff,
    role: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    sign_in_staff("operator")
    case = only_case(client)
    login = sign_in_staff(role)
    url = path.format(case=case["id"])
    answer = client.get(url) if method == "get" else staff_post(client, login, url, body or {})
    assert answer.status_code == 403, answer.text
    assert answer.json()["code"] == "forbidden"
    assert case_of.registration()["status"] == "confirmation_requested"


def test_an_operator_sees_the_queue_and_a_case_file_but_the_access_is_logged(
    case_of: Phone, client: TestClient, sign_in_staff: SignInStaff
) -> None:
    sign_in_staff("operator")
    case = only_case(client)
    opened = client.get(
        f"/api/v1/staff/cases/{case['id']}", params={"purpose": "Person asked at the desk"}
    )
    assert opened.status_code == 200
    log = case_of.get("/api/v1/me/access-log")["entries"]
    assert [(e["role"], e["purpose"]) for e in log] == [("operator", "Person asked at the desk")]
