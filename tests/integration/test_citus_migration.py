"""Migration 0010 keeps what people already hold: slip codes and ticket codes issued before it
still verify (backfilled into ``registration_codes`` and ``booking_codes``), and an answer
remembered for an ``Idempotency-Key`` is still given again (its person filled in). The data is
made through the product at the head, taken back to 0009, and migrated forward again."""

from __future__ import annotations

from booking_support import book, opened, slots
from fastapi.testclient import TestClient
from registration_support import application, person, submit
from sqlalchemy import select

from amina.adapters.db.booking.tables import BookingCodeRow
from amina.adapters.db.idempotency import IdempotencyKeyRow
from amina.adapters.db.migrate import downgrade, upgrade
from amina.bootstrap import Container


def test_codes_and_remembered_answers_from_before_0010_still_work_after_it(
    client: TestClient, container: Container
) -> None:
    session = person(client, container)
    first = submit(client, session, application(), **{"Idempotency-Key": "reg-1"})
    assert first.status_code == 201, first.text
    registration = first.json()
    opened(container)
    slot = slots(client, "biometrics")[0]
    booked = book(client, session, "biometrics", slot["id"])
    assert booked.status_code == 201, booked.text

    downgrade(container.engine, "0009")
    upgrade(container.engine)

    verified = client.get(f"/api/v1/verify/{registration['slip_code']}")
    assert verified.status_code == 200, verified.text
    assert verified.json()["status"] == "valid"
    again = submit(client, session, application(), **{"Idempotency-Key": "reg-1"})
    assert again.status_code == 201, again.text
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == registration
    with container.uow() as uow:
        codes = uow.session.execute(
            select(BookingCodeRow.code, BookingCodeRow.person_id, BookingCodeRow.booking_id)
        ).all()
        keys = uow.session.scalars(select(IdempotencyKeyRow.person_id)).all()
    assert [tuple(row) for row in codes] == [
        (booked.json()["code"].replace("-", ""), session.person_id, booked.json()["id"])
    ]
    assert list(keys) == [session.person_id]
