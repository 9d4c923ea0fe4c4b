"""The console page /console/calendar: a supervisor enters a decree; others cannot."""

from __future__ import annotations

import re
from datetime import date

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from amina.adapters.db.audit.tables import AuditEntryRow
from amina.bootstrap import Container
from amina.domain.roles import Role
from amina.services.clock import FixedClock
from amina.services.policy.calendar import working_calendar
from amina.services.staff.accounts import create_staff

EN = {"Accept-Language": "en"}
PASSWORD = "a long enough password"
DECREE = "Government decree No. 1234 of 20 November 2025"


def signed_in(client: TestClient, container: Container, clock: FixedClock, role: Role) -> str:
    """Create an account with ``role``, sign in through the form; return the CSRF token."""
    with container.uow() as uow:
        new = create_staff(
            uow,
            clock,
            username=f"{role.value}.test",
            role=role,
            display_name="Test Person",
            password=PASSWORD,
        )
        uow.commit()
    form = client.get("/console/sign-in", headers=EN).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    answer = client.post(
        "/console/sign-in",
        data={
            "username": f"{role.value}.test",
            "password": PASSWORD,
            "code": pyotp.TOTP(new.second_factor.secret).at(clock.now()),
            "csrf_token": token.group(1),
            "next": "/console",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303
    return str(client.get("/api/v1/staff/me").json()["csrf_token"])


def test_a_supervisor_enters_a_decree_and_the_day_becomes_a_day_off(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    csrf = signed_in(client, container, clock, Role.supervisor)
    home = client.get("/console", headers=EN)
    assert 'href="/console/calendar"' in home.text

    saved = client.post(
        "/console/calendar",
        data={"day": "2025-11-06", "kind": "day_off", "reason": DECREE, "csrf_token": csrf},
        headers=EN,
        follow_redirects=False,
    )
    assert saved.status_code == 303

    page = client.get("/console/calendar", headers=EN)
    assert page.status_code == 200
    assert DECREE in page.text
    assert re.search(r'data-day="2025-11-06" data-working="no"', page.text)
    with container.uow() as uow:
        assert not working_calendar(uow).is_working_day(date(2025, 11, 6))
        entry = uow.session.scalars(
            select(AuditEntryRow).where(AuditEntryRow.action == "calendar.override_set")
        ).one()
        assert entry.purpose == DECREE


def test_a_supervisor_removes_a_decree(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    csrf = signed_in(client, container, clock, Role.supervisor)
    client.post(
        "/console/calendar",
        data={"day": "2025-11-04", "kind": "working", "reason": DECREE, "csrf_token": csrf},
    )
    removed = client.post(
        "/console/calendar/2025-11-04/remove",
        data={"reason": "Entered by mistake", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert removed.status_code == 303
    assert DECREE not in client.get("/console/calendar", headers=EN).text
    with container.uow() as uow:
        assert not working_calendar(uow).is_working_day(date(2025, 11, 4))


def test_a_decree_without_a_reason_is_refused_on_the_page_in_russian(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    csrf = signed_in(client, container, clock, Role.supervisor)
    refused = client.post(
        "/console/calendar?lang=ru",
        data={"day": "2025-11-06", "kind": "day_off", "reason": "", "csrf_token": csrf},
    )
    assert refused.status_code == 422
    assert "Укажите причину" in refused.text
    with container.uow() as uow:
        assert working_calendar(uow).is_working_day(date(2025, 11, 6))


def test_a_decree_without_the_csrf_token_is_refused(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    signed_in(client, container, clock, Role.supervisor)
    forged = client.post(
        "/console/calendar",
        data={"day": "2025-11-06", "kind": "day_off", "reason": DECREE, "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    with container.uow() as uow:
        assert working_calendar(uow).is_working_day(date(2025, 11, 6))


@pytest.mark.parametrize("role", [Role.operator, Role.auditor])
def test_staff_without_calendar_edit_do_not_get_the_page(
    client: TestClient, container: Container, clock: FixedClock, role: Role
) -> None:
    csrf = signed_in(client, container, clock, role)
    assert client.get("/console/calendar", headers=EN).status_code == 403
    refused = client.post(
        "/console/calendar",
        data={"day": "2025-11-06", "kind": "day_off", "reason": DECREE, "csrf_token": csrf},
    )
    assert refused.status_code == 403
    assert 'href="/console/calendar"' not in client.get("/console", headers=EN).text


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    answer = client.get("/console/calendar", follow_redirects=False)
    assert answer.status_code in (302, 303)
    assert "/console/sign-in" in answer.headers["location"]
