"""Helpers for the sign-in and enrolment tests: card holders are put into the register through
the importer (as the card register would deliver them), codes are read from the local SMS
gateway through ``/dev/sms.json``, and people sign in through the API."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from amina.adapters.external.card_register import CardRegisterRecords
from amina.bootstrap import Container
from amina.services.identity.card_import import import_cards

#: A Tajik worker in Moscow: must use Amina (phase 1) on the tests' date (2025-11-05).
WORKER: dict[str, Any] = {
    "card_number": "7725100001",
    "surname_lat": "Rahimov",
    "given_names_lat": "Farhod",
    "surname_cyr": "Рахимов",
    "given_names_cyr": "Фарход",
    "date_of_birth": "1992-05-01",
    "citizenship": "TJ",
    "passport_number": "400123456",
    "phone": "+79001110001",
    "valid_from": "2025-03-01",
    "valid_to": "2027-03-01",
    "status": "valid",
    "purpose": "work",
    "intended_stay_days": 365,
    "category": "none",
}


def card(number: str, **changes: Any) -> dict[str, Any]:
    """A register record like :data:`WORKER`, with its own number, passport and phone."""
    tail = number[-4:]
    return {
        **WORKER,
        "card_number": number,
        "passport_number": f"4009{tail}",
        "phone": f"+7900111{tail}",
        **changes,
    }


def register(container: Container, *records: dict[str, Any]) -> None:
    report = import_cards(container.uow, container.clock, CardRegisterRecords(list(records)))
    assert not report.rejected, report.rejected


def ask_for_code(client: TestClient, record: dict[str, Any], **headers: str) -> Any:
    return client.post(
        "/api/v1/auth/otp",
        json={
            "method": "card",
            "card_number": record["card_number"],
            "date_of_birth": record["date_of_birth"],
        },
        headers=headers,
    )


def ask_for_code_by_passport(client: TestClient, record: dict[str, Any]) -> Any:
    return client.post(
        "/api/v1/auth/otp",
        json={
            "method": "passport",
            "citizenship": record["citizenship"],
            "passport_number": record["passport_number"],
            "date_of_birth": record["date_of_birth"],
        },
    )


def texts_to(client: TestClient, phone: str) -> list[str]:
    """Messages the local SMS gateway "sent" to ``phone``, newest first."""
    return [m["text"] for m in client.get("/dev/sms.json").json() if m["to"] == phone]


def last_code(client: TestClient, phone: str) -> str:
    texts = texts_to(client, phone)
    assert texts, f"no SMS to {phone}"
    found = re.search(r"\b(\d{6})\b", texts[0])
    assert found is not None, texts[0]
    return found.group(1)


def verify(
    client: TestClient, challenge_id: str, code: str, name: str = "Phone", **headers: str
) -> Any:
    return client.post(
        "/api/v1/auth/verify",
        json={
            "challenge_id": challenge_id,
            "code": code,
            "device": {"name": name, "platform": "android"},
        },
        headers=headers,
    )


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


@dataclass(frozen=True)
class Session:
    access_token: str
    device_credential: str
    person_id: str
    body: dict[str, Any]

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}

    @property
    def device(self) -> dict[str, str]:
        return {"Authorization": f"Device {self.device_credential}"}


def sign_in(
    client: TestClient, record: dict[str, Any], name: str = "Phone", **headers: str
) -> Session:
    """The whole sign-in by card, reading the code from the local SMS gateway."""
    asked = ask_for_code(client, record, **headers)
    assert asked.status_code == 202, asked.text
    answer = verify(
        client, asked.json()["challenge_id"], last_code(client, record["phone"]), name, **headers
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return Session(body["access_token"], body["device_credential"], body["person"]["id"], body)
