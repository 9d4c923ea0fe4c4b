"""Two submissions at the same moment never leave a person with two registrations holding the
place: the partial unique index refuses the loser, who gets a clear 409 or, with the same
Idempotency-Key, the winner's answer. PostgreSQL runs transactions truly in parallel; SQLite
serialises writers (BEGIN IMMEDIATE), so there the race cannot happen and the tests are
skipped."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from registration_support import PODOLSK, application, person, submit
from sqlalchemy import text

from amina.adapters.db.uow import UnitOfWork
from amina.adapters.external.boundaries import region_classifier
from amina.bootstrap import Container
from amina.domain.address import Address
from amina.domain.host import Host, HostKind
from amina.services.errors import AminaError
from amina.services.idempotency import Answer, IdempotentRequest, fingerprint, run_once
from amina.services.registration.registrations import (
    RegistrationApplication,
    registrations_of,
    submit_registration,
)

MOSCOW = RegistrationApplication(
    address=Address("RU-MOW", "Москва", "ул. Тверская", "7", None, "12", None, 55.7577, 37.6116),
    host=Host(HostKind.person, "Иванова Мария Петровна", "4510 123456", None),
    stay_from=date(2025, 11, 5),
    stay_to=date(2026, 11, 4),
    purpose="work",
)


def _postgres_only(container: Container) -> None:
    if container.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers: two submissions cannot overlap there")


def _until_a_transaction_waits_on_a_lock(container: Container) -> None:
    """Block until another connection of this database waits on a row or index lock."""
    with container.engine.connect() as watcher:
        for _ in range(600):
            waiting = watcher.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
            if waiting:
                return
            watcher.rollback()
            time.sleep(0.01)
    raise AssertionError("no transaction came to wait on the lock")


def _fire_together(
    client: TestClient, session: Any, bodies_and_keys: list[tuple[dict[str, Any], str]]
) -> list[Any]:
    start = threading.Barrier(len(bodies_and_keys))

    def fire(body_and_key: tuple[dict[str, Any], str]) -> Any:
        body, key = body_and_key
        start.wait()
        return submit(client, session, body, **{"Idempotency-Key": key})

    with ThreadPoolExecutor(len(bodies_and_keys)) as pool:
        return list(pool.map(fire, bodies_and_keys))


def _holding(client: TestClient, session: Any) -> list[dict[str, Any]]:
    listed = client.get("/api/v1/me/registrations", headers=session.bearer).json()
    return [r for r in listed if r["status"] in ("active", "confirmation_requested")]


def test_two_submissions_fired_at_once_leave_exactly_one_registration_holding_the_place(
    client: TestClient, container: Container
) -> None:
    _postgres_only(container)
    me = person(client, container)

    answers = _fire_together(
        client, me, [(application(), "phone-a"), (application(address=PODOLSK), "phone-b")]
    )

    assert len(_holding(client, me)) == 1
    statuses = sorted(answer.status_code for answer in answers)
    # Either one lost the race (409), or the two happened one after the other (the second
    # then closed the first: an address change).
    assert statuses in ([201, 201], [201, 409])
    for answer in answers:
        if answer.status_code == 409:
            assert answer.json()["code"] == "registration_conflict"


def test_the_same_submission_fired_twice_at_once_is_registered_once_and_answered_alike(
    client: TestClient, container: Container
) -> None:
    _postgres_only(container)
    me = person(client, container)

    answers = _fire_together(client, me, [(application(), "same-key"), (application(), "same-key")])

    assert [answer.status_code for answer in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    listed = client.get("/api/v1/me/registrations", headers=me.bearer).json()
    assert len(listed) == 1


def test_a_submission_racing_an_uncommitted_one_waits_for_it_and_then_gets_a_conflict(
    client: TestClient, container: Container
) -> None:
    _postgres_only(container)
    me = person(client, container)
    outcome: dict[str, str] = {}

    def second_phone() -> None:
        try:
            with container.uow() as uow:
                submit_registration(uow, container.clock, region_classifier, me.person_id, MOSCOW)
                uow.commit()
            outcome["second"] = "committed"
        except AminaError as error:
            outcome["second"] = error.code

    with container.uow() as first:
        submit_registration(first, container.clock, region_classifier, me.person_id, MOSCOW)
        racer = threading.Thread(target=second_phone)
        racer.start()
        _until_a_transaction_waits_on_a_lock(container)  # the second, on the first's new row
        assert "second" not in outcome
        first.commit()
    racer.join(timeout=30)

    assert outcome == {"second": "registration_conflict"}
    with container.uow() as uow:
        registrations = registrations_of(uow, me.person_id)
    assert [r.status.value for r in registrations] == ["active"]


def test_the_same_key_racing_an_uncommitted_submission_gets_the_first_answer(
    client: TestClient, container: Container
) -> None:
    _postgres_only(container)
    me = person(client, container)
    request = IdempotentRequest(
        f"person:{me.person_id} POST test", "k-1", fingerprint({"a": 1}), me.person_id
    )
    first_flushed = threading.Event()
    answers: dict[str, Answer] = {}

    def create(uow: UnitOfWork) -> Answer:
        registration = submit_registration(
            uow, container.clock, region_classifier, me.person_id, MOSCOW
        )
        return Answer(201, {"id": registration.id})

    def first_phone() -> None:
        def slow_create(uow: UnitOfWork) -> Answer:
            answer = create(uow)
            first_flushed.set()
            _until_a_transaction_waits_on_a_lock(container)  # the second phone's insert
            return answer

        answers["first"] = run_once(container.uow, container.clock, request, slow_create)

    def second_phone() -> None:
        first_flushed.wait(timeout=10)
        answers["second"] = run_once(container.uow, container.clock, request, create)

    phones = [threading.Thread(target=first_phone), threading.Thread(target=second_phone)]
    for phone in phones:
        phone.start()
    for phone in phones:
        phone.join(timeout=30)

    assert answers["second"].body == answers["first"].body
    assert answers["second"].replayed
    with container.uow() as uow:
        assert len(registrations_of(uow, me.person_id)) == 1
