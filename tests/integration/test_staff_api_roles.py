"""Least privilege in the staff API, not only in the console (SPEC §2, §10; docs/roles.md).

Every operation under ``/api/v1/staff/`` is called signed out and as every role. What comes
back must be what docs/roles.md says: its table of operations (read from the page itself) gives
the permission each needs, ``ROLE_PERMISSIONS`` who has it, and ``CASE_FILE_FIELDS`` (the
field-by-field table of the same page) which parts of a case file a role may see. The
operations are listed from the application's routes, so a new one cannot be forgotten.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from case_support import at_moscow, case_of, registered_person, sweep_on
from fastapi.testclient import TestClient

from amina.bootstrap import Container
from amina.domain.roles import CASE_FILE_FIELDS, Permission, Role, allows
from amina.services.clock import FixedClock
from tests.conftest import StaffLogin

ROLES_MD = Path(__file__).resolve().parents[2] / "docs" / "roles.md"
ANY_STAFF = "any signed-in staff"
PURPOSE = "Checking the case before the hearing"
NUMBER = "7725100001"
UNKNOWN = "00000000-0000-0000-0000-000000000000"


def documented_operations() -> dict[str, Permission | None]:
    """docs/roles.md's table: ``"GET /api/v1/staff/cases"`` → the permission (None: any
    signed-in staff member)."""
    found: dict[str, Permission | None] = {}
    row = re.compile(r"^\| `((?:GET|POST|PUT|PATCH|DELETE) /api/v1/staff/\S*)` \| (.+?) \|$")
    for line in ROLES_MD.read_text(encoding="utf-8").splitlines():
        match = row.match(line)
        if match is None:
            continue
        needs = match.group(2)
        if needs.startswith(ANY_STAFF):
            found[match.group(1)] = None
        else:
            permission = re.match(r"`([a-z_.]+)`", needs)
            assert permission is not None, line
            found[match.group(1)] = Permission(permission.group(1))
    return found


def staff_operations(client: TestClient) -> set[str]:
    """Every staff operation the application serves (its OpenAPI lists every API route)."""
    paths = client.get("/openapi.json").json()["paths"]
    return {
        f"{method.upper()} {path}"
        for path, operations in paths.items()
        if path.startswith("/api/v1/staff/")
        for method in operations
    }


def test_every_staff_operation_is_in_the_roles_page(client: TestClient) -> None:
    assert staff_operations(client) == set(documented_operations())


def _call(
    client: TestClient, operation: str, ids: dict[str, str], csrf: str | None
) -> httpx.Response:
    """The operation with a request a staff member could send: real ids for the person and
    the case, unknown ones elsewhere, and bodies that change nothing when they are allowed
    (a decision whose reason is too short, an unknown referral or objection)."""
    method, path = operation.split(" ", 1)
    url = path.format(
        person_id=ids["person_id"],
        case_id=ids["case_id"],
        referral_id=UNKNOWN,
        objection_id=UNKNOWN,
        code="ZZZZ-ZZZZ",  # no such ticket: found nothing, after the role check
        booking_id=UNKNOWN,
        outcome="served",
        day="2025-11-17",
    )
    headers = {"Accept-Language": "en"} | ({"X-CSRF-Token": csrf} if csrf else {})
    params: dict[str, str] = {}
    body: dict[str, Any] | None = None
    if path.endswith(("/registrations", "/cases/{case_id}")):
        params["purpose"] = PURPOSE
    if path.endswith("/persons/search"):
        body = {"card_number": NUMBER, "purpose": PURPOSE}
    elif path.endswith("/resend-code"):
        body = {"purpose": PURPOSE}
    elif path.endswith("/mark-card-lost"):
        url = path.format(person_id=UNKNOWN)  # marks nothing
        body = {"purpose": PURPOSE}
    elif path.endswith("/decisions"):
        body = {"kind": "dismiss", "reason": "short"}  # refused after the role check
    elif path.endswith(("/confirm", "/reject")):
        body = {"reason": "Checked against the case file"}
    elif path.endswith("/decision"):
        body = {"outcome": "uphold", "reason": "Checked against the case file"}
    return client.request(method, url, params=params, json=body, headers=headers)


def _present(answer: Any, path: str) -> list[bool]:
    """For a case-file path (``notices[].facts``): whether it is there, per item of a list."""
    head, _, rest = path.partition(".")
    if head.endswith("[]"):
        items = answer.get(head[:-2]) or []
        assert items, f"the case file has no {head} to check {path} on"
        return [flag for item in items for flag in _present(item, rest)]
    if not rest:
        return [head in answer]
    return _present(answer[head], rest) if head in answer else [False]


def _a_case_with_a_reminder_and_a_notice(
    client: TestClient, container: Container, clock: FixedClock
) -> dict[str, str]:
    """Registered on Wed 5 Nov and silent: a reminder on Fri 7, the notice on Tue 11, the case
    on Mon 17 Nov."""
    session = registered_person(client, container, clock, NUMBER, date(2025, 11, 5))
    for day in (date(2025, 11, 7), date(2025, 11, 11), date(2025, 11, 17)):
        sweep_on(container, clock, day)
    clock.set(at_moscow(date(2025, 11, 17)))
    return {"person_id": session.person_id, "case_id": case_of(container, session.person_id)}


def test_each_role_gets_from_the_staff_api_exactly_what_the_roles_page_gives_it(
    client: TestClient,
    container: Container,
    clock: FixedClock,
    sign_in_staff: Callable[[str], StaffLogin],
) -> None:
    ids = _a_case_with_a_reminder_and_a_notice(client, container, clock)
    operations = documented_operations()
    # sign-out last: it ends the session the other calls use
    order = sorted(operations, key=lambda op: op.endswith("/sign-out"))

    client.cookies.clear()
    for operation in order:
        answer = _call(client, operation, ids, None)
        assert answer.status_code == 401, (operation, answer.text)
        assert answer.json()["code"] == "staff_sign_in_required", operation

    for role in Role:
        login = sign_in_staff(role.value)
        for operation in order:
            needs = operations[operation]
            answer = _call(client, operation, ids, login.csrf_token)
            seen = (role.value, operation, answer.status_code, answer.text[:300])
            if needs is not None and not allows(role, needs):
                assert answer.status_code == 403, seen
                assert answer.json()["code"] == "forbidden", seen
                continue
            assert answer.status_code not in (401, 403), seen
            assert answer.status_code < 500, seen
            if operation.startswith("GET ") and "{code}" not in operation:
                assert answer.status_code == 200, seen
            if operation == "GET /api/v1/staff/cases/{case_id}":
                case_file = answer.json()
                for path, permission in CASE_FILE_FIELDS.items():
                    shown = _present(case_file, path)
                    expected = allows(role, permission)
                    assert shown == [expected] * len(shown), (role.value, path, shown)
