"""Helpers for the compliance tests: a person who enrolls, registers an address and lets the
phone report through the public API, day by day on the test clock; the daily sweep and the
outbox worker run through their services, as the scheduler runs them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sign_in_support import Session, card, register, sign_in

from amina.bootstrap import Container
from amina.domain.calendar import MOSCOW
from amina.services.clock import FixedClock
from amina.services.compliance.sweep import SweepReport, sweep
from amina.services.delivery.outbox import DeliveryReport, deliver_due

#: Tverskaya street, Moscow: inside RU-MOW.
MOSCOW_LAT, MOSCOW_LON = 55.7579, 37.6117
#: Saint Petersburg: outside RU-MOW and RU-MOS.
PETERSBURG_LAT, PETERSBURG_LON = 59.9343, 30.3351


def moscow_time(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), MOSCOW)


def registration_body(day: date, **changes: Any) -> dict[str, Any]:
    return {
        "address": {
            "region": "RU-MOW",
            "settlement": "Москва",
            "street": "ул. Тверская",
            "house": "7",
            "flat": "12",
            "lat": MOSCOW_LAT,
            "lon": MOSCOW_LON,
        },
        "host": {"kind": "person", "name": "Иванов Иван Иванович", "document": "4510 123456"},
        "stay_from": day.isoformat(),
        "stay_to": "2026-12-31",
        "purpose": "work",
        **changes,
    }


@dataclass
class Phone:
    """A person with the app on their phone."""

    client: TestClient
    clock: FixedClock
    session: Session
    record: dict[str, Any]
    sent: list[str] = field(default_factory=list)

    @property
    def person_id(self) -> str:
        return self.session.person_id

    @property
    def phone_number(self) -> str:
        return str(self.record["phone"])

    def bearer(self) -> dict[str, str]:
        """A fresh access token (the test clock moves by days; the app refreshes the same way)."""
        answer = self.client.post("/api/v1/auth/refresh", headers=self.session.device)
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def get(self, path: str) -> Any:
        answer = self.client.get(path, headers=self.bearer())
        assert answer.status_code == 200, answer.text
        return answer.json()

    def report_body(
        self, at: datetime, lat: float = MOSCOW_LAT, lon: float = MOSCOW_LON
    ) -> dict[str, Any]:
        client_id = str(uuid.uuid4())
        self.sent.append(client_id)
        return {
            "client_id": client_id,
            "device_time": at.isoformat(),
            "lat": lat,
            "lon": lon,
            "accuracy_m": 15.0,
            "provider": "gps",
        }

    def send(self, reports: list[dict[str, Any]], status: dict[str, Any] | None = None) -> Any:
        body: dict[str, Any] = {"reports": reports}
        if status is not None:
            body["status"] = status
        answer = self.client.post("/api/v1/reports", json=body, headers=self.session.device)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def report_on(
        self, day: date, hour: int = 12, lat: float = MOSCOW_LAT, lon: float = MOSCOW_LON
    ) -> None:
        """The phone reports at ``hour`` on ``day`` (the clock is there)."""
        self.clock.set(moscow_time(day, hour))
        results = self.send([self.report_body(moscow_time(day, hour), lat, lon)])["results"]
        assert results[0]["status"] == "accepted", results

    def report_every_day(self, first: date, last: date, **where: float) -> None:
        day = first
        while day <= last:
            self.report_on(day, **where)
            day += timedelta(days=1)

    def heartbeat(self, day: date, **status: Any) -> None:
        """The app is alive but has no fix: it says what it knows about the phone."""
        self.clock.set(moscow_time(day, 13))
        self.send([], {"at": moscow_time(day, 13).isoformat(), **status})

    def inbox(self) -> list[dict[str, Any]]:
        return list(self.get("/api/v1/me/inbox"))

    def notices(self) -> list[dict[str, Any]]:
        return list(self.get("/api/v1/me/notices"))

    def registration(self) -> dict[str, Any]:
        return dict(self.get("/api/v1/me/registrations")[0])


def enrol(
    client: TestClient,
    container: Container,
    clock: FixedClock,
    number: str,
    registered_on: date,
    language: str = "en",
) -> Phone:
    """Import the person's card, sign in on the phone, choose the language and register the
    address on ``registered_on``."""
    record = card(number)
    register(container, record)
    clock.set(moscow_time(registered_on, 10))
    session = sign_in(client, record)
    phone = Phone(client, clock, session, record)
    changed = client.patch("/api/v1/me", json={"language": language}, headers=session.bearer)
    assert changed.status_code == 200, changed.text
    registered = client.post(
        "/api/v1/me/registrations", json=registration_body(registered_on), headers=session.bearer
    )
    assert registered.status_code == 201, registered.text
    return phone


def sweep_on(container: Container, clock: FixedClock, day: date) -> SweepReport:
    """The scheduler's 09:00 sweep of ``day``."""
    clock.set(moscow_time(day, 9))
    return sweep(container.uow, clock, day)


def sweep_days(
    container: Container, clock: FixedClock, first: date, last: date
) -> dict[date, SweepReport]:
    reports: dict[date, SweepReport] = {}
    day = first
    while day <= last:
        reports[day] = sweep_on(container, clock, day)
        day += timedelta(days=1)
    return reports


def deliver(container: Container, clock: FixedClock) -> DeliveryReport:
    return deliver_due(container.uow, clock, container.delivery)


def texts_to(client: TestClient, phone: str) -> list[str]:
    return [m["text"] for m in client.get("/dev/sms.json").json() if m["to"] == phone]
