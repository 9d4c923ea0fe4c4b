"""Reminders and notices across real weeks (SPEC §7; issue 6 points 2–4, 9), on SQLite and
PostgreSQL: people enrol, register and report through the API; the test clock moves day by
day; the daily sweep and the outbox worker run as the scheduler runs them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from compliance_support import (
    MOSCOW_LAT,
    MOSCOW_LON,
    PETERSBURG_LAT,
    PETERSBURG_LON,
    Phone,
    deliver,
    enrol,
    moscow_time,
    registration_body,
    sweep_days,
    sweep_on,
    texts_to,
)
from fastapi.testclient import TestClient
from sqlalchemy import select

from amina.adapters.db.identity.tables import DeviceRow
from amina.adapters.external.boundaries import region_classifier
from amina.adapters.web.api.report_body import read_reports
from amina.bootstrap import Container
from amina.services.clock import FixedClock
from amina.services.reports.ingest import ReportIngest

Enrol = Callable[..., Phone]


@pytest.fixture
def person(client: TestClient, container: Container, clock: FixedClock) -> Enrol:
    made: list[Phone] = []

    def make(registered_on: date = date(2025, 10, 20), language: str = "en") -> Phone:
        phone = enrol(
            client, container, clock, f"77251{len(made):05d}", registered_on, language=language
        )
        made.append(phone)
        return phone

    return make


def kinds(phone: Phone) -> list[str]:
    return [m["kind"] for m in phone.inbox()]


def test_a_silent_phone_brings_a_reminder_on_1_november_and_a_notice_on_6_november_2025(
    person: Enrol, client: TestClient, container: Container, clock: FixedClock
) -> None:
    farhod = person()
    farhod.report_every_day(date(2025, 10, 20), date(2025, 10, 30))
    farhod.heartbeat(date(2025, 10, 30), location_permission=False)

    reports = sweep_days(container, clock, date(2025, 10, 31), date(2025, 11, 5))
    # Fri 31 Oct: one silent working day, nothing yet; Sat 1 Nov (a working Saturday): reminder
    assert reports[date(2025, 10, 31)].reminders == 0
    assert reports[date(2025, 11, 1)].reminders == 1
    assert [r.reminders for d, r in reports.items() if d > date(2025, 11, 1)] == [0, 0, 0, 0]
    assert not reports[date(2025, 11, 3)].working_day  # days off: nothing runs
    reminder = farhod.inbox()[0]
    assert reminder["kind"] == "reminder"
    assert "location permission for Amina is off" in reminder["text"]
    assert "October 30, 2025" in reminder["text"]
    # Wed 5 Nov: only three working days (31 Oct, 1 Nov, 5 Nov) since the last report
    assert farhod.notices() == []

    assert sweep_on(container, clock, date(2025, 11, 6)).notices == 1
    [notice] = farhod.notices()
    assert notice["kind"] == "no_data"
    assert notice["status"] == "open"
    assert notice["deadline"] == "2025-11-11"
    assert "by November 11, 2025" in notice["text"]
    assert "Confirm your address or report a change" in notice["text"]
    assert "you can object to any decision" in notice["text"]
    assert farhod.registration()["status"] == "confirmation_requested"
    assert kinds(farhod)[0] == "notice"

    deliver(container, clock)
    sms = texts_to(client, farhod.phone_number)
    assert any("November 11, 2025" in text for text in sms)


def test_a_person_who_reported_on_the_last_allowed_day_gets_nothing(
    person: Enrol, container: Container, clock: FixedClock
) -> None:
    on_time = person()
    on_time.report_every_day(date(2025, 10, 27), date(2025, 10, 31))
    late = person()
    late.report_every_day(date(2025, 10, 27), date(2025, 10, 30))
    report = sweep_on(container, clock, date(2025, 11, 6))
    assert report.notices == 1
    assert on_time.notices() == []
    assert [n["deadline"] for n in late.notices()] == ["2025-11-11"]


def test_running_the_sweep_twice_issues_nothing_twice(
    person: Enrol, client: TestClient, container: Container, clock: FixedClock
) -> None:
    silent = person()
    silent.report_on(date(2025, 10, 30))
    first = sweep_on(container, clock, date(2025, 11, 6))
    second = sweep_on(container, clock, date(2025, 11, 6))
    assert (first.notices, second.notices) == (1, 0)
    assert len(silent.notices()) == 1
    deliver(container, clock)
    deliver(container, clock)
    notices_by_sms = [t for t in texts_to(client, silent.phone_number) if "November 11" in t]
    assert len(notices_by_sms) == 1


def test_across_the_new_year_break_the_notice_comes_on_14_january_2026(
    person: Enrol, container: Container, clock: FixedClock
) -> None:
    silent = person(date(2025, 12, 22))
    silent.report_every_day(date(2025, 12, 22), date(2025, 12, 29))
    last_allowed = person(date(2025, 12, 22))
    last_allowed.report_every_day(date(2025, 12, 22), date(2025, 12, 30))

    reports = sweep_days(container, clock, date(2025, 12, 30), date(2026, 1, 14))
    reminded = [d for d, r in reports.items() if r.reminders]
    noticed = [d for d, r in reports.items() if r.notices]
    # after the break: 12 January for the report of 29 December, 13 January for 30 December
    assert reminded == [date(2026, 1, 12), date(2026, 1, 13)]
    assert noticed == [date(2026, 1, 14)]
    assert [n["deadline"] for n in silent.notices()] == ["2026-01-19"]
    assert last_allowed.notices() == []


def test_late_queued_reports_that_cover_the_gap_resolve_the_notice_and_the_person_is_told(
    person: Enrol, container: Container, clock: FixedClock
) -> None:
    queued = person()
    queued.report_every_day(date(2025, 10, 27), date(2025, 10, 30))
    sweep_on(container, clock, date(2025, 11, 6))
    assert queued.registration()["status"] == "confirmation_requested"
    # the phone was offline: its queue arrives on Friday with a report of Fri 31 Oct
    clock.set(moscow_time(date(2025, 11, 7), 8))
    queued.send([queued.report_body(moscow_time(date(2025, 10, 31), 18))])

    [notice] = queued.notices()
    assert notice["status"] == "resolved"
    assert queued.registration()["status"] == "active"
    told = queued.inbox()[0]
    assert told["kind"] == "notice_resolved"
    assert "You do not need to do anything" in told["text"]
    assert sweep_on(container, clock, date(2025, 11, 7)).resolved == 0  # nothing left to do


def test_the_daily_sweep_resolves_notices_that_stored_reports_cover(
    person: Enrol, container: Container, clock: FixedClock
) -> None:
    queued = person()
    queued.report_every_day(date(2025, 10, 27), date(2025, 10, 30))
    sweep_on(container, clock, date(2025, 11, 6))
    # reports stored without the ingest's own check (as by an older server during an upgrade)
    clock.set(moscow_time(date(2025, 11, 7), 8))
    with container.uow() as uow:
        device_id = uow.session.scalar(
            select(DeviceRow.id).where(
                DeviceRow.person_id == queued.person_id, DeviceRow.retired_at.is_(None)
            )
        )
    ReportIngest(container.uow, clock, region_classifier).ingest(
        queued.person_id,
        str(device_id),
        read_reports([queued.report_body(moscow_time(date(2025, 11, 3), 18))]),
    )
    assert queued.notices()[0]["status"] == "open"
    assert sweep_on(container, clock, date(2025, 11, 7)).resolved == 1
    assert queued.notices()[0]["status"] == "resolved"
    assert queued.inbox()[0]["kind"] == "notice_resolved"


def test_confirming_with_a_fresh_location_answers_the_notice(
    person: Enrol, container: Container, clock: FixedClock, client: TestClient
) -> None:
    phone = person()
    phone.report_on(date(2025, 10, 30))
    sweep_on(container, clock, date(2025, 11, 6))
    [notice] = phone.notices()
    clock.set(moscow_time(date(2025, 11, 7), 11))
    answer = client.post(
        f"/api/v1/me/notices/{notice['id']}/confirm",
        json={"report": phone.report_body(moscow_time(date(2025, 11, 7), 11))},
        headers=phone.bearer(),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "answered"
    assert phone.registration()["status"] == "active"
    assert phone.inbox()[0]["kind"] == "notice_confirmed"
    # the fresh location is stored like any report
    reports = phone.get("/api/v1/me/reports")
    assert any(r["client_id"] == phone.sent[-1] for r in reports["reports"])
    again = client.post(
        f"/api/v1/me/notices/{notice['id']}/confirm",
        json={"report": phone.report_body(moscow_time(date(2025, 11, 7), 11))},
        headers=phone.bearer(),
    )
    assert again.status_code == 409
    assert again.json()["code"] == "notice_not_open"
    # the silence starts again from the confirmation: no new notice the next working days
    assert sweep_on(container, clock, date(2025, 11, 10)).notices == 0


def test_answering_with_a_new_address_closes_the_old_registration(
    person: Enrol, container: Container, clock: FixedClock, client: TestClient
) -> None:
    phone = person()
    phone.report_on(date(2025, 10, 30))
    sweep_on(container, clock, date(2025, 11, 6))
    [notice] = phone.notices()
    old = phone.registration()
    clock.set(moscow_time(date(2025, 11, 7), 11))
    body = registration_body(date(2025, 11, 7))
    body["address"] = {
        **body["address"],
        "street": "ул. Арбат",
        "house": "10",
        "lat": 55.7522,
        "lon": 37.5925,
    }
    answer = client.post(
        f"/api/v1/me/notices/{notice['id']}/change-address",
        json=body,
        headers={**phone.bearer(), "Idempotency-Key": "move-1"},
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["status"] == "active"
    registrations = phone.get("/api/v1/me/registrations")
    assert [r["status"] for r in registrations] == ["active", "closed"]
    assert registrations[1]["id"] == old["id"]
    assert phone.notices()[0]["status"] == "answered"
    assert phone.inbox()[0]["kind"] == "address_changed"


def test_a_missed_deadline_opens_a_case_and_nothing_else_happens(
    person: Enrol, container: Container, clock: FixedClock
) -> None:
    phone = person()
    phone.report_on(date(2025, 10, 30))
    sweep_on(container, clock, date(2025, 11, 6))
    # the deadline day itself is still the person's
    assert sweep_on(container, clock, date(2025, 11, 11)).cases == 0
    assert sweep_on(container, clock, date(2025, 11, 12)).cases == 1
    assert phone.notices()[0]["status"] == "expired"
    # no sanction: the registration still waits for confirmation, nobody deregistered it
    registration = phone.registration()
    assert registration["status"] == "confirmation_requested"
    assert [e["kind"] for e in registration["events"]] == ["registered", "confirmation_requested"]
    told = phone.inbox()[0]
    assert told["kind"] == "case_opened"
    assert "An inspector will review your case" in told["title"]
    assert sweep_on(container, clock, date(2025, 11, 12)).cases == 0


def test_three_days_outside_moscow_bring_an_out_of_region_notice(
    person: Enrol, container: Container, clock: FixedClock
) -> None:
    traveller = person()
    traveller.report_every_day(date(2025, 10, 27), date(2025, 11, 1))
    traveller.report_every_day(
        date(2025, 11, 2), date(2025, 11, 5), lat=PETERSBURG_LAT, lon=PETERSBURG_LON
    )
    report = sweep_on(container, clock, date(2025, 11, 6))
    assert report.notices == 1
    [notice] = traveller.notices()
    assert notice["kind"] == "out_of_region"
    assert "outside Moscow and Moscow Oblast" in notice["text"]
    # back home and reporting from Moscow before the deadline: the notice resolves itself
    traveller.report_on(date(2025, 11, 7), lat=MOSCOW_LAT, lon=MOSCOW_LON)
    assert traveller.notices()[0]["status"] == "resolved"
    assert traveller.registration()["status"] == "active"


def test_notices_speak_the_persons_language(
    person: Enrol, container: Container, clock: FixedClock
) -> None:
    phone = person(language="ru")
    phone.report_on(date(2025, 10, 30))
    sweep_on(container, clock, date(2025, 11, 6))
    [notice] = phone.notices()
    assert "11 ноября 2025" in notice["text"]
    assert "подтвердите адрес или сообщите о его изменении" in notice["text"]


def test_a_person_who_never_reported_is_counted_from_the_day_of_registration(
    person: Enrol, container: Container, clock: FixedClock
) -> None:
    never = person(date(2025, 11, 5))
    reports = sweep_days(container, clock, date(2025, 11, 6), date(2025, 11, 11))
    assert [d for d, r in reports.items() if r.notices] == [date(2025, 11, 11)]
    assert never.notices()[0]["deadline"] == "2025-11-14"


def test_the_sweep_on_a_day_off_issues_nothing(
    person: Enrol, container: Container, clock: FixedClock
) -> None:
    phone = person()
    phone.report_on(date(2025, 10, 20))
    report = sweep_on(container, clock, date(2025, 11, 4))
    assert not report.working_day
    assert phone.notices() == []
