"""The registration lifecycle as the compliance, case and objection features will drive it:
every transition is stored with an event (who, when, why); illegal ones are refused for every
pair of states and leave the registration untouched."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from registration_support import person

from amina.adapters.external.boundaries import region_classifier
from amina.bootstrap import Container
from amina.domain.address import Address
from amina.domain.host import Host, HostKind
from amina.domain.registration import TRANSITIONS, RegistrationStatus
from amina.services.audit.trail import Actor
from amina.services.clock import FixedClock
from amina.services.errors import AminaError
from amina.services.registration.registrations import (
    EventActor,
    Registration,
    RegistrationApplication,
    change_status,
    close,
    confirm,
    deregister,
    registration_of,
    request_confirmation,
    restore,
    submit_registration,
)

S = RegistrationStatus
INSPECTOR = EventActor.staff(Actor(staff_id="inspector-7", role="inspector"))
SUPERVISOR = EventActor.staff(Actor(staff_id="supervisor-2", role="supervisor"))
MOSCOW = RegistrationApplication(
    address=Address("RU-MOW", "Москва", "ул. Тверская", "7", None, "12", None, 55.7577, 37.6116),
    host=Host(HostKind.person, "Иванова Мария Петровна", "4510 123456", None),
    stay_from=date(2025, 11, 5),
    stay_to=date(2026, 11, 4),
    purpose="work",
)
#: How to bring a fresh (active) registration into each state, through legal moves only.
ROUTES: dict[RegistrationStatus, list[tuple[RegistrationStatus, str | None]]] = {
    S.active: [],
    S.confirmation_requested: [(S.confirmation_requested, None)],
    S.deregistered: [(S.confirmation_requested, None), (S.deregistered, "decision 12")],
    S.closed: [(S.closed, "stay ended")],
}


def _submit(container: Container, person_id: str) -> Registration:
    with container.uow() as uow:
        registration = submit_registration(
            uow, container.clock, region_classifier, person_id, MOSCOW
        )
        uow.commit()
    return registration


def test_each_transition_is_stored_with_who_when_and_why(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    me = person(client, container)
    registration = _submit(container, me.person_id)
    steps = [
        (request_confirmation, EventActor.system(), None),
        (confirm, EventActor.person(me.person_id), None),
        (request_confirmation, EventActor.system(), None),
        (deregister, INSPECTOR, "Notice unanswered; decision 2025-41"),
        (restore, SUPERVISOR, "Objection upheld: the person was in hospital"),
        (close, EventActor.person(me.person_id), "left Russia"),
    ]
    for move, actor, reason in steps:
        clock.advance(timedelta(days=1))
        with container.uow() as uow:
            move(uow, container.clock, me.person_id, registration.id, actor, reason)  # type: ignore[operator]
            uow.commit()

    with container.uow() as uow:
        stored = registration_of(uow, me.person_id, registration.id)
    assert stored.status is S.closed
    assert [
        (e.kind, e.from_status, e.to_status, e.actor.kind, e.actor.role, e.reason)
        for e in stored.events
    ] == [
        ("registered", None, "active", "person", None, None),
        ("confirmation_requested", "active", "confirmation_requested", "system", "system", None),
        ("confirmed", "confirmation_requested", "active", "person", None, None),
        ("confirmation_requested", "active", "confirmation_requested", "system", "system", None),
        (
            "deregistered",
            "confirmation_requested",
            "deregistered",
            "staff",
            "inspector",
            "Notice unanswered; decision 2025-41",
        ),
        (
            "restored",
            "deregistered",
            "active",
            "staff",
            "supervisor",
            "Objection upheld: the person was in hospital",
        ),
        ("closed", "active", "closed", "person", None, "left Russia"),
    ]
    assert [e.at.date() for e in stored.events] == [
        date(2025, 11, 5) + timedelta(days=n) for n in range(7)
    ]
    assert stored.events[4].actor.id == "inspector-7"


def test_a_deregistration_without_a_reason_is_refused(
    client: TestClient, container: Container
) -> None:
    me = person(client, container)
    registration = _submit(container, me.person_id)
    with container.uow() as uow:
        request_confirmation(
            uow, container.clock, me.person_id, registration.id, EventActor.system()
        )
        uow.commit()

    with container.uow() as uow, pytest.raises(AminaError) as refused:
        deregister(uow, container.clock, me.person_id, registration.id, INSPECTOR, "  ")

    assert refused.value.code == "reason_required"


def test_every_illegal_transition_is_refused_and_changes_nothing(
    client: TestClient, container: Container
) -> None:
    me = person(client, container)
    illegal = [(a, b) for a in S for b in S if (a, b) not in TRANSITIONS]
    assert len(illegal) == 10

    for current, target in illegal:
        registration = _submit(container, me.person_id)
        for step, reason in ROUTES[current]:
            actor = INSPECTOR if step is S.deregistered else EventActor.system()
            with container.uow() as uow:
                change_status(
                    uow, container.clock, me.person_id, registration.id, step, actor, reason
                )
                uow.commit()
        with container.uow() as uow:
            before = registration_of(uow, me.person_id, registration.id)

        with container.uow() as uow, pytest.raises(AminaError) as refused:
            change_status(
                uow, container.clock, me.person_id, registration.id, target, SUPERVISOR, "try"
            )

        assert refused.value.code == "illegal_transition", (current, target)
        with container.uow() as uow:
            after = registration_of(uow, me.person_id, registration.id)
        assert after == before, (current, target)


def test_restoring_is_refused_while_a_newer_registration_holds_the_place(
    client: TestClient, container: Container
) -> None:
    me = person(client, container)
    old = _submit(container, me.person_id)
    with container.uow() as uow:
        request_confirmation(uow, container.clock, me.person_id, old.id, EventActor.system())
        deregister(uow, container.clock, me.person_id, old.id, INSPECTOR, "decision 12")
        uow.commit()
    _submit(container, me.person_id)

    with container.uow() as uow, pytest.raises(AminaError) as refused:
        restore(uow, container.clock, me.person_id, old.id, SUPERVISOR, "objection upheld")

    assert refused.value.code == "registration_conflict"
    with container.uow() as uow:
        assert registration_of(uow, me.person_id, old.id).status is S.deregistered
