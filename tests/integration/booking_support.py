"""Helpers for the booking tests: slots are opened through the product's use case (as the
daily job does), people sign in through the API (``registration_support.person``) or, for the
rush tests, are made from imported cards by the sign-in's own ``person_for_card``."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sign_in_support import Session, card, register
from sqlalchemy import select

from amina.adapters.db.identity.tables import CardRow
from amina.bootstrap import Container
from amina.services.booking.slots import open_slots
from amina.services.identity.cards import card_from_row
from amina.services.identity.enrolment import person_for_card


def opened(container: Container) -> None:
    with container.uow() as uow:
        open_slots(uow, container.clock)
        uow.commit()


def slots(client: TestClient, service: str, day: str | None = None) -> list[dict[str, Any]]:
    query = f"/api/v1/booking/slots?service={service}"
    if day:
        query += f"&from={day}&to={day}"
    answer = client.get(query)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def book(client: TestClient, session: Session, service: str, slot_id: str, **extra: Any) -> Any:
    headers = {**session.bearer}
    if "key" in extra:
        headers["Idempotency-Key"] = extra.pop("key")
    return client.post(
        "/api/v1/me/bookings",
        json={"service": service, "slot_id": slot_id, **extra},
        headers=headers,
    )


def people(container: Container, count: int, first: int = 7725300000) -> list[str]:
    """``count`` card holders made persons, as their first sign-in would; their ids."""
    numbers = [str(first + n) for n in range(count)]
    register(container, *[card(number) for number in numbers])
    ids = []
    with container.uow() as uow:
        for number in numbers:
            row = uow.session.scalar(select(CardRow).where(CardRow.card_number == number))
            assert row is not None
            ids.append(person_for_card(uow, card_from_row(row), container.clock.now(), "ru").id)
        uow.commit()
    return ids


def day(iso: str) -> date:
    return date.fromisoformat(iso)
