"""Two payments of the same months at the same moment: exactly one goes through (issue 11,
point 10). PostgreSQL runs the transactions truly in parallel; SQLite serialises writers, so
there the race cannot happen and the tests are skipped."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from patent_support import checkout, my_patent, record, start
from registration_support import person

from amina.adapters.db.patent.tables import PatentPaymentRow
from amina.bootstrap import Container


def _postgres_only(container: Container) -> None:
    if container.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers: two payments cannot overlap there")


def _together(calls: list[Any]) -> list[Any]:
    gate = threading.Barrier(len(calls))

    def fire(call: Any) -> Any:
        gate.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(fire, calls))


def test_two_payments_of_the_same_months_fired_at_once_let_exactly_one_through(
    client: TestClient, container: Container
) -> None:
    _postgres_only(container)
    me = person(client, container)
    record(client, me)

    answers = _together(
        [lambda: start(client, me, 2, key="phone-a"), lambda: start(client, me, 1, key="phone-b")]
    )

    assert sorted(a.status_code for a in answers) == [201, 409]
    loser = next(a for a in answers if a.status_code == 409)
    assert loser.json()["code"] == "patent_payment_pending"
    winner = next(a for a in answers if a.status_code == 201).json()
    assert checkout(client, winner, "pay").status_code == 303
    history = client.get("/api/v1/me/patent/payments", headers=me.bearer).json()
    assert [p["status"] for p in history] == ["succeeded"]


def test_the_same_callback_delivered_twice_at_once_extends_the_patent_once(
    client: TestClient, container: Container
) -> None:
    _postgres_only(container)
    me = person(client, container)
    record(client, me)
    payment = start(client, me, 2).json()
    assert checkout(client, payment, "lose_callback").status_code == 303
    with container.uow() as uow:
        ref = uow.session.get(PatentPaymentRow, (me.person_id, payment["id"])).provider_ref  # type: ignore[union-attr]
    report = container.payments.status(ref)  # type: ignore[arg-type]
    body, signature = container.payments.callback(report)  # type: ignore[attr-defined]

    def deliver() -> Any:
        return client.post(
            "/api/v1/payments/sandbox/callback",
            content=body,
            headers={"X-Payment-Signature": signature},
        ).json()["outcome"]

    outcomes = _together([deliver, deliver])

    assert sorted(outcomes) == ["applied", "ignored"]
    assert my_patent(client, me)["paid_until"] == "2026-01-19"
