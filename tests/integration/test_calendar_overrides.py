"""Calendar overrides: supervisors (and the server's operator through the CLI) enter decrees
the holidays library does not know yet; every change is audited with its reason."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from amina.adapters.db.audit.tables import AuditEntryRow
from amina.bootstrap import Container
from amina.domain.roles import Role
from amina.services.audit.trail import SYSTEM, Actor, verify_audit_chain
from amina.services.clock import FixedClock
from amina.services.errors import AminaError
from amina.services.policy.calendar import (
    list_overrides,
    remove_override,
    set_override,
    working_calendar,
)
from amina.services.staff.accounts import create_staff

DECREE = "Government decree No. 1234 of 20 November 2025"


def staff(container: Container, clock: FixedClock, role: Role) -> Actor:
    with container.uow() as uow:
        created = create_staff(
            uow, clock, username=f"{role.value}-one", role=role, display_name=f"A {role.value}"
        )
        uow.commit()
    return Actor(staff_id=created.account.staff_id, role=created.account.role.value)


def audit_entries(container: Container, action: str) -> list[AuditEntryRow]:
    with container.uow() as uow:
        entries = list(
            uow.session.scalars(
                select(AuditEntryRow)
                .where(AuditEntryRow.action == action)
                .order_by(AuditEntryRow.seq)
            )
        )
        uow.session.expunge_all()  # keep them readable after the unit of work ends
        return entries


def test_a_supervisor_turns_a_working_day_into_a_day_off_and_deadlines_move(
    container: Container, clock: FixedClock
) -> None:
    supervisor = staff(container, clock, Role.supervisor)
    with container.uow() as uow:
        before = working_calendar(uow)
        set_override(uow, clock, supervisor, date(2025, 11, 5), False, DECREE)
        uow.commit()
    with container.uow() as uow:
        after = working_calendar(uow)
    assert before.add_working_days(date(2025, 11, 1), 1) == date(2025, 11, 5)
    assert not after.is_working_day(date(2025, 11, 5))
    assert after.add_working_days(date(2025, 11, 1), 1) == date(2025, 11, 6)


def test_the_change_is_in_the_audit_log_with_its_reason_and_no_person(
    container: Container, clock: FixedClock
) -> None:
    supervisor = staff(container, clock, Role.supervisor)
    with container.uow() as uow:
        set_override(uow, clock, supervisor, date(2025, 11, 3), True, DECREE)
        uow.commit()
    [entry] = audit_entries(container, "calendar.override_set")
    assert entry.staff_id == supervisor.staff_id
    assert entry.purpose == DECREE
    assert entry.person_id is None
    assert entry.details == {"day": "2025-11-03", "is_working": True, "previous": None}
    with container.uow() as uow:
        assert verify_audit_chain(uow).intact


def test_the_overrides_list_shows_who_set_each_day_and_why(
    container: Container, clock: FixedClock
) -> None:
    supervisor = staff(container, clock, Role.supervisor)
    with container.uow() as uow:
        set_override(uow, clock, supervisor, date(2026, 1, 12), False, DECREE)
        set_override(uow, clock, supervisor, date(2025, 12, 27), True, DECREE)
        uow.commit()
    with container.uow() as uow:
        overrides = list_overrides(uow)
    assert [(o.day, o.is_working, o.reason) for o in overrides] == [
        (date(2025, 12, 27), True, DECREE),
        (date(2026, 1, 12), False, DECREE),
    ]
    assert {o.created_by for o in overrides} == {supervisor.staff_id}


def test_changing_an_override_again_replaces_it_and_records_the_previous_value(
    container: Container, clock: FixedClock
) -> None:
    supervisor = staff(container, clock, Role.supervisor)
    with container.uow() as uow:
        set_override(uow, clock, supervisor, date(2025, 11, 5), False, DECREE)
        uow.commit()
    with container.uow() as uow:
        set_override(uow, clock, supervisor, date(2025, 11, 5), True, "Decree withdrawn")
        uow.commit()
    with container.uow() as uow:
        assert working_calendar(uow).is_working_day(date(2025, 11, 5))
    assert [e.details["previous"] for e in audit_entries(container, "calendar.override_set")] == [
        None,
        False,
    ]


def test_removing_an_override_gives_the_day_back_to_the_production_calendar(
    container: Container, clock: FixedClock
) -> None:
    supervisor = staff(container, clock, Role.supervisor)
    with container.uow() as uow:
        set_override(uow, clock, supervisor, date(2025, 11, 4), True, DECREE)
        uow.commit()
    with container.uow() as uow:
        remove_override(uow, clock, supervisor, date(2025, 11, 4), "Entered by mistake")
        uow.commit()
    with container.uow() as uow:
        assert not working_calendar(uow).is_working_day(date(2025, 11, 4))
    [entry] = audit_entries(container, "calendar.override_removed")
    assert entry.purpose == "Entered by mistake"


def test_removing_an_override_that_does_not_exist_is_not_found(
    container: Container, clock: FixedClock
) -> None:
    with container.uow() as uow, pytest.raises(AminaError) as raised:
        remove_override(uow, clock, SYSTEM, date(2025, 11, 4), "Entered by mistake")
    assert raised.value.code == "override_not_found"


@pytest.mark.parametrize("role", [Role.operator, Role.inspector, Role.auditor])
def test_staff_without_calendar_edit_cannot_change_the_calendar(
    container: Container, clock: FixedClock, role: Role
) -> None:
    actor = staff(container, clock, role)
    with container.uow() as uow, pytest.raises(AminaError) as raised:
        set_override(uow, clock, actor, date(2025, 11, 5), False, DECREE)
    assert raised.value.code == "forbidden"
    with container.uow() as uow:
        assert working_calendar(uow).is_working_day(date(2025, 11, 5))


def test_an_override_needs_a_reason(container: Container, clock: FixedClock) -> None:
    supervisor = staff(container, clock, Role.supervisor)
    with container.uow() as uow, pytest.raises(AminaError) as raised:
        set_override(uow, clock, supervisor, date(2025, 11, 5), False, "  ")
    assert raised.value.code == "reason_required"
    assert [e.field for e in raised.value.errors] == ["reason"]


def test_the_system_actor_may_enter_a_decree(container: Container, clock: FixedClock) -> None:
    with container.uow() as uow:
        set_override(uow, clock, SYSTEM, date(2025, 11, 3), True, DECREE)
        uow.commit()
    [entry] = audit_entries(container, "calendar.override_set")
    assert (entry.role, entry.staff_id) == ("system", None)
