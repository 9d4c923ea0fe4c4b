"""At the migration centre (issue 12, points 2 and 5): an operator finds a visit by its ticket
code, checks the visitor in and marks the visit served — each step in the person's access log;
the day's load is drawn as a picture; a supervisor edits opening hours and closes a day, with a
reason, and the people booked on it are told."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from booking_support import book, opened, slots
from fastapi.testclient import TestClient
from registration_support import person
from staff_login import StaffLogin

from amina.bootstrap import Container


def test_an_operator_checks_a_ticket_in_and_the_person_sees_it_in_their_access_log(
    client: TestClient, container: Container, sign_in_staff: Callable[[str], StaffLogin]
) -> None:
    opened(container)
    me = person(client, container)
    slot = slots(client, "card_issuance", "2025-11-05")[0]
    visit = book(client, me, "card_issuance", slot["id"]).json()
    operator = sign_in_staff("operator")

    page = client.get("/console/booking", params={"code": visit["code"].lower().replace("-", "")})

    assert page.status_code == 200
    assert "Rahimov Farhod" in page.text
    assert 'data-status="confirmed"' in page.text
    checked = client.post(
        f"/console/booking/visits/{me.person_id}/{visit['id']}/check-in",
        data={"csrf_token": operator.csrf_token, "code": visit["code"]},
        follow_redirects=False,
    )
    assert checked.status_code == 303
    served = client.post(
        f"/api/v1/staff/booking/visits/{me.person_id}/{visit['id']}/served",
        headers={"X-CSRF-Token": operator.csrf_token},
    )
    assert served.json()["booking"]["status"] == "served"
    again = client.post(
        f"/api/v1/staff/booking/visits/{me.person_id}/{visit['id']}/no-show",
        headers={"X-CSRF-Token": operator.csrf_token},
    )
    assert again.status_code == 409
    assert again.json()["code"] == "booking_not_changeable"

    log = client.get("/api/v1/me/access-log", headers=me.bearer).json()["entries"]
    assert [e["action"] for e in log] == ["booking.served", "booking.checked_in", "booking.view"]
    assert all(e["role"] == "operator" for e in log)


def test_the_qr_of_a_ticket_opens_the_check_in_with_its_code_and_a_wrong_code_is_refused(
    client: TestClient, container: Container, sign_in_staff: Callable[[str], StaffLogin]
) -> None:
    opened(container)
    me = person(client, container)
    slot = slots(client, "card_issuance", "2025-11-05")[0]
    visit = book(client, me, "card_issuance", slot["id"]).json()
    sign_in_staff("operator")

    qr = urlsplit(visit["check_in_url"])
    scanned = client.get(f"{qr.path}?{qr.query}")
    wrong = client.get("/api/v1/staff/booking/tickets/0000-0000")

    assert scanned.status_code == 200
    assert "Rahimov Farhod" in scanned.text
    assert wrong.status_code == 404
    assert wrong.json()["code"] == "ticket_not_found"


def test_the_day_view_draws_the_load_per_service_and_hour(
    client: TestClient, container: Container, sign_in_staff: Callable[[str], StaffLogin]
) -> None:
    opened(container)
    me = person(client, container)
    ten = next(s for s in slots(client, "biometrics", "2025-11-06") if s["time"] == "10:15")
    book(client, me, "biometrics", ten["id"])
    sign_in_staff("operator")

    page = client.get("/console/booking", params={"day": "2025-11-06"})
    load = client.get("/api/v1/staff/booking/days/2025-11-06/load").json()

    assert page.status_code == 200
    assert '<svg class="booking-load"' in page.text
    assert 'data-service="biometrics" data-hour="10" data-booked="1"' in page.text
    assert {"service": "biometrics", "hour": 10, "capacity": 32, "booked": 1, "checked_in": 0} in (
        load
    )


def test_a_supervisor_changes_counters_with_a_reason_and_not_without(
    client: TestClient, container: Container, sign_in_staff: Callable[[str], StaffLogin]
) -> None:
    opened(container)
    supervisor = sign_in_staff("supervisor")
    form = {
        "csrf_token": supervisor.csrf_token,
        "weekday": "3",
        "service": "biometrics",
        "opens": "08:00",
        "closes": "18:00",
        "counters": "12",
    }

    refused = client.post("/console/booking/hours", data={**form, "reason": ""})
    saved = client.post(
        "/console/booking/hours",
        data={**form, "reason": "Two more windows from Thursday"},
        follow_redirects=False,
    )

    assert refused.status_code == 422
    assert saved.status_code == 303
    assert all(s["free"] == 12 for s in slots(client, "biometrics", "2025-11-06"))
    assert all(s["free"] == 8 for s in slots(client, "biometrics", "2025-11-07"))


def test_closing_a_day_cancels_its_visits_and_tells_each_person_in_their_language(
    client: TestClient, container: Container, sign_in_staff: Callable[[str], StaffLogin]
) -> None:
    opened(container)
    me = person(client, container, language="uz")
    slot = slots(client, "medical_examination", "2025-11-07")[0]
    visit = book(client, me, "medical_examination", slot["id"]).json()
    supervisor = sign_in_staff("supervisor")

    closed = client.post(
        "/console/booking/close-day",
        data={"csrf_token": supervisor.csrf_token, "day": "2025-11-07", "reason": "Power works"},
        follow_redirects=False,
    )

    assert closed.status_code == 303
    assert slots(client, "medical_examination", "2025-11-07") == []
    mine = client.get(f"/api/v1/me/bookings/{visit['id']}", headers=me.bearer).json()
    assert mine["status"] == "closed_by_centre"
    inbox = client.get("/api/v1/me/inbox", headers=me.bearer).json()
    assert inbox[0]["kind"] == "booking_day_closed"
    assert "Power works" in inbox[0]["text"]
    assert re.search(r"bekor qilindi", inbox[0]["title"])


def test_only_operators_check_in_and_only_supervisors_edit_the_hours(
    client: TestClient, sign_in_staff: Callable[[str], StaffLogin]
) -> None:
    sign_in_staff("supervisor")
    assert client.get("/api/v1/staff/booking/days/2025-11-06/load").status_code == 403
    sign_in_staff("operator")
    assert client.get("/console/booking/hours").status_code == 403
