"""Plain words instead of identifiers (issue 13, point 6): staff are named by role and a short
staff number, purposes are chosen from a list and read in each reader's language, the audit
page and the policy editor speak the console's language, never ids or raw names. SQLite and
PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import httpx
import pytest
from case_support import at_moscow, case_of, registered_person, sweep_on
from fastapi.testclient import TestClient
from sign_in_support import WORKER, register, sign_in
from sqlalchemy import select

from amina.adapters.db.audit.tables import AuditEntryRow
from amina.adapters.db.staff.tables import StaffRow
from amina.adapters.web.pages import console_cases
from amina.bootstrap import Container
from amina.domain.calendar import moscow_date
from amina.domain.policy import PARAMETER_RANGES
from amina.domain.roles import Role
from amina.services.clock import FixedClock
from amina.services.staff.accounts import create_staff, disable_staff
from tests.conftest import StaffLogin

RU = {"Accept-Language": "ru"}
KA = {"Accept-Language": "ka"}
SignIn = Callable[[str], StaffLogin]
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def staff_number(container: Container, username: str) -> int:
    with container.uow() as uow:
        number = uow.session.scalar(select(StaffRow.number).where(StaffRow.username == username))
    assert number is not None
    return number


def search_by_card(client: TestClient, login: StaffLogin, card: str) -> httpx.Response:
    data = {
        "reason": "cannot_sign_in",
        "details": "desk 3",
        "by": "card",
        "card_number": card,
        "csrf_token": login.csrf_token,
    }
    return client.post("/console/persons", data=data, headers=RU)


def visible_text(page: str) -> str:
    """What a reader sees: the page without its tags (and their attributes)."""
    body = page.split("<main", 1)[-1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def entries_section(page: str) -> str:
    return visible_text(page.split('id="audit-entries"', 1)[1])


def test_a_person_reads_who_looked_by_role_and_staff_number_and_why_in_their_language(
    client: TestClient, container: Container, sign_in_staff: SignIn
) -> None:
    register(container, WORKER)
    operator = sign_in_staff("operator")
    assert search_by_card(client, operator, WORKER["card_number"]).status_code == 200

    person = sign_in(client, WORKER, **KA)
    [entry] = client.get("/api/v1/me/access-log", headers={**person.bearer, **KA}).json()["entries"]

    assert entry["staff_number"] == staff_number(container, operator.username)
    assert entry["role_name"] != "operator"  # the role in words
    assert entry["purpose"] == "პირი ფანჯარასთანაა და ვერ შედის სისტემაში: desk 3"


def test_the_purpose_is_stored_as_its_code_and_free_text_whatever_the_console_language(
    client: TestClient, container: Container, sign_in_staff: SignIn
) -> None:
    register(container, WORKER)
    operator = sign_in_staff("operator")
    search_by_card(client, operator, WORKER["card_number"])

    with container.uow() as uow:
        [entry] = uow.session.scalars(
            select(AuditEntryRow).where(AuditEntryRow.action == "person.search")
        ).all()
        assert entry.purpose == "desk 3"
        assert entry.details["purpose_code"] == "cannot_sign_in"


def test_staff_numbers_are_short_given_in_order_and_never_reused(container: Container) -> None:
    with container.uow() as uow:
        made = [
            create_staff(
                uow, container.clock, username=f"clerk{n}", role=Role.operator, display_name="C"
            ).account
            for n in range(3)
        ]
        disable_staff(uow, container.clock, "clerk2")
        later = create_staff(
            uow, container.clock, username="clerk9", role=Role.operator, display_name="C"
        ).account
        uow.commit()

    numbers = [account.number for account in made]
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == 3
    assert later.number == numbers[-1] + 1


def test_the_audit_page_speaks_russian_and_shows_no_ids_or_raw_data(
    client: TestClient, container: Container, sign_in_staff: SignIn
) -> None:
    register(container, WORKER)
    operator = sign_in_staff("operator")
    search_by_card(client, operator, WORKER["card_number"])
    number = staff_number(container, operator.username)
    sign_in_staff("auditor")

    page = client.get("/console/audit", headers=RU)

    assert page.status_code == 200
    entries = entries_section(page.text)
    assert "Человек у окна и не может войти: desk 3" in entries
    assert "Поиск человека" in entries
    assert f"сотрудник № {number}" in entries
    assert WORKER["card_number"] in entries
    assert not UUID.search(entries)
    assert "person.search" not in entries
    assert "{" not in entries  # no JSON details


def test_the_auditor_filters_by_card_staff_action_and_dates(
    client: TestClient, container: Container, sign_in_staff: SignIn
) -> None:
    register(container, WORKER)
    operator = sign_in_staff("operator")
    search_by_card(client, operator, WORKER["card_number"])
    number = staff_number(container, operator.username)
    sign_in_staff("auditor")
    today = moscow_date(container.clock.now())

    def shown(**query: str) -> list[str]:
        page = client.get("/console/audit", params=query, headers=RU).text
        return re.findall(r'data-action="([^"]+)"', page)

    assert shown(card=WORKER["card_number"]) == ["person.search"]
    assert shown(card="7725999999") == []
    assert shown(staff=str(number)) == ["person.search"]
    assert shown(staff=str(number), action="staff.create") == []
    assert "staff.create" in shown(role="system")
    assert "person.search" not in shown(role="system")
    assert shown(action="person.search", **{"from": today.isoformat()}) == ["person.search"]
    yesterday = (today - timedelta(days=1)).isoformat()
    assert shown(action="person.search", to=yesterday) == []
    empty = client.get("/console/audit", params={"to": yesterday}, headers=RU).text
    assert "Ни одна запись не подходит под фильтр." in empty


def test_the_audit_pages_keep_the_filter(
    client: TestClient, container: Container, sign_in_staff: SignIn
) -> None:
    for n in range(60):
        with container.uow() as uow:
            create_staff(
                uow, container.clock, username=f"many{n}", role=Role.operator, display_name="M"
            )
            uow.commit()
    sign_in_staff("auditor")

    first = client.get("/console/audit", params={"action": "staff.create"}, headers=RU).text
    older = re.search(r'href="(/console/audit\?[^"]*before=\d+)"', first)

    assert older is not None
    assert "action=staff.create" in older.group(1)
    second = client.get(older.group(1).replace("&amp;", "&"), headers=RU).text
    assert set(re.findall(r'data-action="([^"]+)"', second)) == {"staff.create"}
    assert "Записей по фильтру: 61." in first  # 60 and the auditor's own account


def test_the_policy_editor_names_every_parameter_in_words_with_what_it_does(
    client: TestClient, sign_in_staff: SignIn
) -> None:
    sign_in_staff("supervisor")

    page = client.get("/console/policy", headers=RU).text

    seen = visible_text(page)
    for name in PARAMETER_RANGES:
        assert name not in seen, name
    assert "Повторный запрос распознаётся, дней" in seen
    assert "Сколько рабочих дней у человека есть на ответ на уведомление" in seen
    assert "Исходные правила" in seen
    assert "Initial policy" not in seen


def test_the_case_queue_is_paged_and_keeps_its_filter(
    client: TestClient,
    container: Container,
    clock: FixedClock,
    sign_in_staff: SignIn,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(console_cases, "QUEUE_PAGE", 1)
    a = registered_person(client, container, clock, "7725100001", date(2025, 11, 5))
    b = registered_person(client, container, clock, "7725100002", date(2025, 11, 6))
    for day in (11, 12, 17, 18):
        sweep_on(container, clock, date(2025, 11, day))
    first, second = case_of(container, a.person_id), case_of(container, b.person_id)
    clock.set(at_moscow(date(2025, 11, 19)))
    sign_in_staff("inspector")

    page_one = client.get("/console/cases", params={"status": "open"}, headers=RU).text
    later = re.search(r'href="(/console/cases\?[^"]*page=2)"', page_one)

    assert re.findall(r'data-case="([^"]+)"', page_one) == [first]
    assert later is not None
    assert "status=open" in later.group(1)
    page_two = client.get(later.group(1).replace("&amp;", "&"), headers=RU).text
    assert re.findall(r'data-case="([^"]+)"', page_two) == [second]
    assert "Более ранние дела" in page_two
    assert "Более поздние дела" not in page_two


def test_the_staff_list_names_each_account_by_its_number(
    client: TestClient, container: Container, sign_in_staff: SignIn
) -> None:
    made = sign_in_staff("supervisor")
    number = staff_number(container, made.username)

    page = client.get("/console/staff", headers=RU).text
    row = page.split(f'data-username="{made.username}"', 1)[1].split("</tr>", 1)[0]

    assert f'<td class="num">{number}</td>' in row
    assert "Номер сотрудника" in page
