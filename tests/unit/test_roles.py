"""The role → permission table (docs/roles.md): least privilege, one refusal per action."""

from __future__ import annotations

import pytest

from amina.domain.roles import ROLE_PERMISSIONS, Permission, Role, allows, permissions_of
from amina.services.audit.trail import SYSTEM, Actor
from amina.services.errors import ErrorKind
from amina.services.staff.permissions import PermissionDenied, require

FORBIDDEN = [
    (role, permission)
    for role in Role
    for permission in Permission
    if permission not in ROLE_PERMISSIONS[role]
]
ALLOWED = [(role, permission) for role in Role for permission in sorted(ROLE_PERMISSIONS[role])]


@pytest.mark.parametrize(("role", "permission"), FORBIDDEN, ids=str)
def test_each_role_is_refused_every_action_it_lacks(role: Role, permission: Permission) -> None:
    with pytest.raises(PermissionDenied) as refused:
        require(Actor(staff_id="s-1", role=role.value), permission)
    assert refused.value.kind is ErrorKind.forbidden
    assert refused.value.code == "forbidden"


@pytest.mark.parametrize(("role", "permission"), ALLOWED, ids=str)
def test_each_role_may_do_what_the_table_gives_it(role: Role, permission: Permission) -> None:
    require(Actor(staff_id="s-1", role=role.value), permission)


def test_the_auditor_reads_the_audit_log_and_nothing_else() -> None:
    assert permissions_of(Role.auditor) == {Permission.audit_read}


def test_only_the_auditor_reads_the_audit_log() -> None:
    assert [role for role in Role if allows(role, Permission.audit_read)] == [Role.auditor]


def test_only_the_supervisor_manages_staff_edits_policy_and_decides_objections() -> None:
    for permission in (
        Permission.staff_manage,
        Permission.policy_edit,
        Permission.calendar_edit,
        Permission.objection_decide,
        Permission.referral_confirm,
    ):
        assert [role for role in Role if allows(role, permission)] == [Role.supervisor]


def test_the_operator_decides_nothing() -> None:
    decisions = {
        Permission.case_decide,
        Permission.objection_decide,
        Permission.referral_confirm,
        Permission.policy_edit,
        Permission.calendar_edit,
        Permission.staff_manage,
    }
    assert not permissions_of(Role.operator) & decisions
    assert Permission.person_search in permissions_of(Role.operator)


def test_only_the_inspector_decides_cases_and_does_not_search_people() -> None:
    assert [role for role in Role if allows(role, Permission.case_decide)] == [Role.inspector]
    assert not allows(Role.inspector, Permission.person_search)


def test_every_permission_belongs_to_some_role() -> None:
    granted = set().union(*ROLE_PERMISSIONS.values())
    assert granted == set(Permission)


def test_the_system_actor_and_unknown_roles_get_no_staff_permission() -> None:
    assert permissions_of("system") == frozenset()
    assert permissions_of("root") == frozenset()
    with pytest.raises(PermissionDenied):
        require(SYSTEM, Permission.audit_read)


def test_the_roles_page_shows_the_case_file_fields_table_the_code_applies() -> None:
    import re
    from pathlib import Path

    from amina.domain.roles import CASE_FILE_FIELDS

    page = (Path(__file__).resolve().parents[2] / "docs" / "roles.md").read_text("utf-8")
    documented = dict(re.findall(r"^\| `([a-z_.\[\]]+)` \| `([a-z_.]+)` \|$", page, re.M))
    assert documented == {path: str(p) for path, p in CASE_FILE_FIELDS.items()}


def test_a_supervisor_manages_operator_and_inspector_accounts_only() -> None:
    from amina.domain.roles import may_manage_account

    assert may_manage_account(Role.supervisor, Role.operator)
    assert may_manage_account(Role.supervisor, Role.inspector)
    assert not may_manage_account(Role.supervisor, Role.supervisor)
    assert not may_manage_account(Role.supervisor, Role.auditor)
    assert not may_manage_account(Role.auditor, Role.operator)
    assert not may_manage_account(Role.operator, Role.operator)


def test_nobody_reviews_a_decision_of_an_account_they_created() -> None:
    from amina.domain.decisions import Refusal, check_objection_decision

    reason = "The silence lasted two weeks without a word."
    with pytest.raises(Refusal) as refused:
        check_objection_decision(
            decided=False,
            decided_by="inspector-1",
            supervisor="supervisor-1",
            reason=reason,
            decider_created_by="supervisor-1",
        )
    assert refused.value.code == "reviewer_created_decider"
    assert check_objection_decision(
        decided=False,
        decided_by="inspector-1",
        supervisor="supervisor-2",
        reason=reason,
        decider_created_by="supervisor-1",
    )
