"""Helpers for the console case tests: people register through the API, stay silent, and the
daily compliance sweep (the same service the scheduler runs) issues their notice and, after the
missed deadline, opens their case.

With a registration active from Wed 5 Nov 2025 and no report, the notice comes on Tue 11 Nov
(more than three working days: 6, 7, 10, 11), its deadline is Fri 14 Nov, and the case opens
on Mon 17 Nov. A registration from Thu 6 Nov gets its notice on Wed 12 Nov, deadline Mon 17,
case Tue 18 Nov.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from fastapi.testclient import TestClient
from registration_support import application, person, submit
from sign_in_support import Session, card, sign_in
from sqlalchemy import select

from amina.adapters.db.compliance.tables import CaseRow
from amina.bootstrap import Container
from amina.domain.calendar import MOSCOW
from amina.services.clock import FixedClock
from amina.services.compliance.sweep import sweep

OBJECTION = "I was in hospital with my phone switched off; I never left Moscow."


def at_moscow(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), MOSCOW)


def registered_person(
    client: TestClient, container: Container, clock: FixedClock, number: str, on: date
) -> Session:
    """A card holder who signs in and registers at Tverskaya 7 on ``on`` (and says nothing
    more)."""
    clock.set(at_moscow(on, 10))
    session = person(client, container, number)
    answer = submit(client, session, application(stay_from=on.isoformat()))
    assert answer.status_code == 201, answer.text
    return session


def sweep_on(container: Container, clock: FixedClock, day: date) -> None:
    clock.set(at_moscow(day, 6))
    sweep(container.uow, clock, day)


def case_of(container: Container, person_id: str) -> str:
    with container.uow() as uow:
        found = uow.session.scalars(select(CaseRow.id).where(CaseRow.person_id == person_id)).all()
    assert len(found) == 1, found
    return found[0]


def person_with_a_case(
    client: TestClient, container: Container, clock: FixedClock, number: str = "7725100001"
) -> tuple[Session, str]:
    """Registered on 5 Nov, silent since: notice on 11 Nov, case on 17 Nov. The clock is left
    at 17 Nov, 09:00 Moscow."""
    session = registered_person(client, container, clock, number, date(2025, 11, 5))
    sweep_on(container, clock, date(2025, 11, 11))
    sweep_on(container, clock, date(2025, 11, 17))
    clock.set(at_moscow(date(2025, 11, 17)))
    return session, case_of(container, session.person_id)


def signed_in_again(client: TestClient, number: str) -> Session:
    """The person signs in again (an access token lives minutes; the tests move days)."""
    record: dict[str, Any] = card(number)
    return sign_in(client, record)
