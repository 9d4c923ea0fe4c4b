"""The console page /console/policy: a supervisor schedules a policy version from a date;
the old values hold until then; nothing is changed retroactively; others cannot."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select

from amina.adapters.db.audit.tables import AuditEntryRow
from amina.bootstrap import Container
from amina.services.clock import FixedClock
from amina.services.policy.versions import policy_book
from tests.conftest import StaffLogin

EN = {"Accept-Language": "en"}
RU = {"Accept-Language": "ru"}
ORDER = "Order No. 17 of the Interior Ministry of 1 November 2025"
# DEFAULT_NOW is Wed 5 Nov 2025 in Moscow; a week later:
NEXT_WEEK = date(2025, 11, 12)


def _today_value(page: str, name: str) -> str:
    found = re.search(rf'<tr data-parameter="{name}">.*?data-today-value="([^"]*)"', page, re.S)
    assert found is not None, name
    return found.group(1)


def _schedule(
    client: TestClient, login: StaffLogin, headers: dict[str, str] | None = None, **fields: str
) -> httpx.Response:
    data = {"csrf_token": login.csrf_token, "reason": ORDER, **fields}
    return client.post("/console/policy", data=data, headers=headers or EN, follow_redirects=False)


def test_a_supervisor_schedules_a_version_that_takes_effect_on_its_date(
    client: TestClient,
    container: Container,
    clock: FixedClock,
    sign_in_staff: Callable[[str], StaffLogin],
) -> None:
    supervisor = sign_in_staff("supervisor")
    home = client.get("/console", headers=EN)
    assert 'href="/console/policy"' in home.text

    saved = _schedule(
        client,
        supervisor,
        effective_from=NEXT_WEEK.isoformat(),
        **{"parameter.no_data_working_days": "5", "parameter.proximity_check_enabled": "true"},
    )
    assert saved.status_code == 303

    page = client.get(saved.headers["location"], headers=EN).text
    assert "The new version is scheduled" in page
    assert 'data-version="2025-11-12.1" data-state="scheduled"' in page
    assert ORDER in page
    assert "Test Supervisor" in page  # who added it
    # before the date, the old values are in force
    assert _today_value(page, "no_data_working_days") == "3"
    assert _today_value(page, "proximity_check_enabled") == "False"
    with container.uow() as uow:
        book = policy_book(uow)
    assert book.in_force_on(date(2025, 11, 11)).parameter("no_data_working_days") == 3
    assert book.in_force_on(NEXT_WEEK).parameter("no_data_working_days") == 5
    assert book.in_force_on(NEXT_WEEK).parameter("proximity_check_enabled") is True
    # the rest of the document is carried over from the version in force on that date
    assert book.in_force_on(NEXT_WEEK).parameter("objection_days") == 10
    assert book.in_force_on(NEXT_WEEK).rules == book.in_force_on(date(2025, 11, 11)).rules

    # on the date, the new values are in force
    clock.set(datetime.fromisoformat("2025-11-12T09:00:00+03:00"))
    sign_in_staff("supervisor")
    page = client.get("/console/policy", headers=EN).text
    assert _today_value(page, "no_data_working_days") == "5"
    assert _today_value(page, "proximity_check_enabled") == "True"
    assert 'data-version="2025-11-12.1" data-state="in_force"' in page


def test_a_second_version_on_the_same_day_gets_the_next_number_and_wins(
    client: TestClient, container: Container, sign_in_staff: Callable[[str], StaffLogin]
) -> None:
    supervisor = sign_in_staff("supervisor")
    day = NEXT_WEEK.isoformat()
    first = _schedule(client, supervisor, effective_from=day, **{"parameter.objection_days": "14"})
    second = _schedule(
        client, supervisor, effective_from=day, **{"parameter.notice_deadline_working_days": "5"}
    )
    assert first.status_code == second.status_code == 303
    with container.uow() as uow:
        policy = policy_book(uow).in_force_on(NEXT_WEEK)
    assert policy.version == "2025-11-12.2"
    # built on the version in force that day: the first change is kept
    assert policy.parameter("objection_days") == 14
    assert policy.parameter("notice_deadline_working_days") == 5


def test_policy_is_never_changed_retroactively(
    client: TestClient, container: Container, sign_in_staff: Callable[[str], StaffLogin]
) -> None:
    supervisor = sign_in_staff("supervisor")
    refused = _schedule(
        client,
        supervisor,
        headers=RU,
        effective_from="2025-11-04",
        **{"parameter.no_data_working_days": "5"},
    )
    assert refused.status_code == 422
    assert "Политика не меняется задним числом" in refused.text
    with container.uow() as uow:
        assert len(policy_book(uow).versions) == 1


def test_only_whole_numbers_switches_and_known_parameters_are_accepted(
    client: TestClient, container: Container, sign_in_staff: Callable[[str], StaffLogin]
) -> None:
    supervisor = sign_in_staff("supervisor")
    day = NEXT_WEEK.isoformat()
    cases = {
        "parameter.no_data_working_days": ("-1", "cannot be negative"),
        "parameter.objection_days": ("2.5", "takes a whole number"),
        "parameter.proximity_check_enabled": ("maybe", "Choose on or off"),
        "parameter.days_of_grace": ("3", "no parameter called days_of_grace"),
    }
    for field, (value, message) in cases.items():
        refused = _schedule(client, supervisor, effective_from=day, **{field: value})
        assert refused.status_code == 422, field
        assert message in refused.text, field
    unchanged = _schedule(
        client, supervisor, effective_from=day, **{"parameter.no_data_working_days": "3"}
    )
    assert unchanged.status_code == 422
    assert "Nothing to change" in unchanged.text
    without_reason = _schedule(
        client,
        supervisor,
        effective_from=day,
        reason="",
        **{"parameter.no_data_working_days": "4"},
    )
    assert without_reason.status_code == 422
    with container.uow() as uow:
        assert len(policy_book(uow).versions) == 1


def test_every_policy_change_is_audited_with_its_reason_and_old_and_new_values(
    client: TestClient, container: Container, sign_in_staff: Callable[[str], StaffLogin]
) -> None:
    supervisor = sign_in_staff("supervisor")
    _schedule(
        client,
        supervisor,
        effective_from=NEXT_WEEK.isoformat(),
        **{"parameter.report_retention_days": "21"},
    )
    with container.uow() as uow:
        entry = uow.session.scalars(
            select(AuditEntryRow).where(AuditEntryRow.action == "policy.version_added")
        ).one()
        assert entry.staff_id == supervisor.staff_id
        assert entry.person_id is None
        assert entry.purpose == ORDER
        assert entry.details["version"] == "2025-11-12.1"
        assert entry.details["changes"] == {"report_retention_days": {"old": 30, "new": 21}}


def test_staff_other_than_supervisors_cannot_see_or_change_the_policy(
    client: TestClient, container: Container, sign_in_staff: Callable[[str], StaffLogin]
) -> None:
    for role in ("operator", "inspector", "auditor"):
        login = sign_in_staff(role)
        assert client.get("/console/policy", headers=EN).status_code == 403
        refused = _schedule(
            client,
            login,
            effective_from=NEXT_WEEK.isoformat(),
            **{"parameter.no_data_working_days": "5"},
        )
        assert refused.status_code == 403
        assert 'href="/console/policy"' not in client.get("/console", headers=EN).text
    with container.uow() as uow:
        assert len(policy_book(uow).versions) == 1


def test_the_eligibility_phases_are_shown_but_cannot_be_edited(
    client: TestClient, sign_in_staff: Callable[[str], StaffLogin]
) -> None:
    sign_in_staff("supervisor")
    page = client.get("/console/policy", headers=RU).text
    assert 'data-rule="phase-1-work"' in page
    assert 'data-rule="phase-2-long-stay"' in page
    assert "Этапы обязательности" in page
    form = page.split('id="policy-form"')[1].split("</form>")[0]
    assert "phase-1-work" not in form
    assert "citizenship" not in form
