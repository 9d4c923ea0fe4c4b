"""Plain words instead of identifiers (issue 13, point 6): staff are named by role and a short
staff number, purposes are chosen from a list and read in each reader's language, the audit
page and the policy editor speak the console's language, never ids or raw names. SQLite and
PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import httpx
from fastapi.testclient import TestClient
from sign_in_support import WORKER, register, sign_in
from sqlalchemy import select

from amina.adapters.db.audit.tables import AuditEntryRow
from amina.adapters.db.staff.tables import StaffRow
from amina.bootstrap import Container
from amina.domain.calendar import moscow_date
from amina.domain.policy import PARAMETER_RANGES
from amina.domain.roles import Role
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
