"""Booking a visit at the migration centre through the API (issue 12): services, free times on
working days only, book, hold and confirm, cancel, move, the ticket, one visit per service."""

from __future__ import annotations

from datetime import timedelta

from booking_support import book, opened, slots
from fastapi.testclient import TestClient
from registration_support import person
from sign_in_support import WORKER, ask_for_code_by_passport, last_code, register, verify

from amina.bootstrap import Container
from amina.services.booking.bookings import release_expired_holds
from amina.services.clock import FixedClock


def test_the_centre_lists_its_services_with_documents_in_the_callers_language(
    client: TestClient,
) -> None:
    answer = client.get("/api/v1/booking/services", headers={"Accept-Language": "uz"})

    assert answer.status_code == 200
    services = {s["code"]: s for s in answer.json()}
    assert set(services) == {
        "card_issuance",
        "biometrics",
        "medical_examination",
        "language_test",
        "patent_issuance",
        "document_pickup",
        "card_replacement",
    }
    assert services["biometrics"]["duration_minutes"] == 15
    assert services["card_replacement"]["who_may_book"] == "lost_card"
    assert any("pasport" in d.lower() for d in services["card_issuance"]["documents"])


def test_times_are_offered_only_on_working_days_from_eight_to_six_moscow_time(
    client: TestClient, container: Container
) -> None:
    opened(container)

    offered = slots(client, "card_issuance", None)

    days = {s["day"] for s in offered}
    assert "2025-11-06" in days  # Thursday
    assert "2025-11-08" not in days
    assert "2025-11-09" not in days
    assert "2025-11-05" in days  # today, after 10:00
    today = [s["time"] for s in offered if s["day"] == "2025-11-05"]
    assert min(today) == "10:30"
    assert max(today) == "17:30"
    thursday = [s["time"] for s in offered if s["day"] == "2025-11-06"]
    assert thursday[0] == "08:00"
    assert thursday[-1] == "17:30"
    assert all(s["free"] == 6 for s in offered)


def test_a_person_books_gets_a_ticket_moves_and_cancels_and_the_seat_comes_back(
    client: TestClient, container: Container
) -> None:
    opened(container)
    me = person(client, container, language="tg")
    first, second = slots(client, "biometrics", "2025-11-06")[:2]

    booked = book(client, me, "biometrics", first["id"], key="k1")
    assert booked.status_code == 201, booked.text
    visit = booked.json()
    assert visit["status"] == "confirmed"
    assert visit["time"] == "08:00"
    assert visit["day"] == "2025-11-06"
    assert len(visit["code"]) == 9
    assert visit["code"][4] == "-"
    assert visit["check_in_url"].endswith(f"code={visit['code']}")
    assert slots(client, "biometrics", "2025-11-06")[0]["free"] == 7

    again = book(client, me, "biometrics", first["id"], key="k1")
    assert again.status_code == 201
    assert again.json() == visit
    assert again.headers["Idempotent-Replayed"] == "true"

    twice = book(client, me, "biometrics", second["id"])
    assert twice.status_code == 409
    assert twice.json()["code"] == "already_booked"

    ticket = client.get(visit["ticket_url"], headers=me.bearer)
    assert ticket.status_code == 200
    assert ticket.headers["content-type"] == "application/pdf"
    assert ticket.content.startswith(b"%PDF")

    moved = client.post(
        f"/api/v1/me/bookings/{visit['id']}/reschedule",
        json={"slot_id": second["id"]},
        headers={**me.bearer, "Idempotency-Key": "m1"},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["time"] == "08:15"
    assert moved.json()["code"] == visit["code"]
    free = {s["id"]: s["free"] for s in slots(client, "biometrics", "2025-11-06")}
    assert free[first["id"]] == 8
    assert free[second["id"]] == 7

    cancelled = client.post(f"/api/v1/me/bookings/{visit['id']}/cancel", headers=me.bearer)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    free = {s["id"]: s["free"] for s in slots(client, "biometrics", "2025-11-06")}
    assert free[second["id"]] == 8

    listed = client.get("/api/v1/me/bookings", headers=me.bearer).json()
    assert [b["status"] for b in listed] == ["cancelled"]


def test_a_hold_keeps_the_seat_ten_minutes_then_it_is_released(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    opened(container)
    me = person(client, container)
    first = slots(client, "medical_examination", "2025-11-06")[0]

    held = book(client, me, "medical_examination", first["id"], hold=True).json()
    assert held["status"] == "held"
    assert slots(client, "medical_examination", "2025-11-06")[0]["free"] == 7

    clock.advance(timedelta(minutes=11))
    late = client.post(f"/api/v1/me/bookings/{held['id']}/confirm", headers=me.bearer)
    assert late.status_code == 409
    assert late.json()["code"] == "hold_expired"
    assert release_expired_holds(container.uow, container.clock) == 1
    assert slots(client, "medical_examination", "2025-11-06")[0]["free"] == 8

    again = book(client, me, "medical_examination", first["id"], hold=True).json()
    confirmed = client.post(f"/api/v1/me/bookings/{again['id']}/confirm", headers=me.bearer)
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "confirmed"


def test_the_replacement_of_a_lost_card_is_only_for_people_whose_card_is_lost(
    client: TestClient, container: Container
) -> None:
    opened(container)
    me = person(client, container)
    first = slots(client, "card_replacement", "2025-11-06")[0]

    refused = book(client, me, "card_replacement", first["id"])

    assert refused.status_code == 403
    assert refused.json()["code"] == "service_not_for_you"
    assert client.get("/api/v1/me/bookings/suggested", headers=me.bearer).json() == []


def test_a_person_who_signed_in_with_the_passport_is_offered_and_books_a_card_replacement(
    client: TestClient, container: Container
) -> None:
    opened(container)
    register(container, dict(WORKER))
    asked = ask_for_code_by_passport(client, WORKER)
    assert asked.status_code == 202, asked.text
    signed = verify(client, asked.json()["challenge_id"], last_code(client, WORKER["phone"]))
    assert signed.status_code == 200, signed.text
    bearer = {"Authorization": f"Bearer {signed.json()['access_token']}"}

    offered = client.get("/api/v1/me/bookings/suggested", headers=bearer).json()
    assert offered == [{"service": "card_replacement", "reason": "card_lost"}]
    first = slots(client, "card_replacement", "2025-11-06")[0]
    booked = client.post(
        "/api/v1/me/bookings",
        json={"service": "card_replacement", "slot_id": first["id"]},
        headers=bearer,
    )
    assert booked.status_code == 201, booked.text
    assert client.get("/api/v1/me/bookings/suggested", headers=bearer).json() == []


def test_the_booking_screen_has_an_address_of_its_own_and_is_in_every_language(
    client: TestClient,
) -> None:
    assert client.get("/app/booking", follow_redirects=False).headers["location"] == (
        "/app#booking"
    )
    titles = {
        "ru": "Визиты в миграционный центр",
        "uz": "Migratsiya markaziga tashriflar",
        "tg": "Ташрифҳо ба маркази муҳоҷират",
        "ky": "Миграциялык борборго баруулар",
        "hy": "Այցեր միգրացիոն կենտրոն",
        "kk": "Көші-қон орталығына бару",
        "ka": "ვიზიტები მიგრაციის ცენტრში",
        "az": "Miqrasiya mərkəzinə səfərlər",
        "ro": "Vizite la centrul de migrație",
        "uk": "Візити до міграційного центру",
        "en": "Visits to the migration centre",
    }
    for language, title in titles.items():
        page = client.get("/app", params={"lang": language})
        assert f'<h1 id="booking-title" tabindex="-1">{title}</h1>' in page.text, language
