"""Remembered Idempotency-Key answers are forgotten after the policy's retention (7 days)."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from registration_support import PODOLSK, application, person, submit

from amina.bootstrap import Container
from amina.domain.calendar import moscow_date
from amina.entrypoints.jobs.idempotency_expiry import idempotency_expiry
from amina.entrypoints.jobs.scheduler import JobContext
from amina.services.clock import FixedClock


def run_expiry(container: Container) -> str:
    day = moscow_date(container.clock.now())
    return idempotency_expiry(JobContext(container, day, None))  # type: ignore[arg-type]


def test_a_key_is_remembered_for_a_week_and_then_forgotten(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    me = person(client, container)
    key = {"Idempotency-Key": "weekly-key"}
    assert submit(client, me, application(), **key).status_code == 201
    start = clock.now()

    clock.set(start + timedelta(days=6))
    assert run_expiry(container).startswith("0 ")
    clock.set(start)
    reused = submit(client, me, application(address=PODOLSK), **key)
    assert reused.json()["code"] == "idempotency_key_reused"  # still remembered after 6 days

    clock.set(start + timedelta(days=8))
    assert run_expiry(container).startswith("1 ")
    clock.set(start)  # the same person, the same day, the same key: now a new request
    again = submit(client, me, application(address=PODOLSK), **key)
    assert again.status_code == 201
