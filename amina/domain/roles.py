"""Staff roles and what each may do, as data (SPEC §2, §10: least privilege).

Every staff action is one :class:`Permission`; :data:`ROLE_PERMISSIONS` is the whole table.
A role gets only what its work needs: the auditor reads the audit log and nothing else, the
supervisor manages staff but cannot read the audit log (separation of duties), the operator
finds people and helps them but decides nothing.

To enforce a permission in a use case or an endpoint call
``amina.services.staff.permissions.require(actor, Permission.X)``: it raises the ``forbidden`` (403)
error. This module only answers the question. docs/roles.md shows the table in words.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class Role(StrEnum):
    operator = "operator"
    inspector = "inspector"
    supervisor = "supervisor"
    auditor = "auditor"


class Permission(StrEnum):
    person_search = "person.search"
    """Find a person by card or passport (with a stated purpose)."""
    person_enrolment_help = "person.enrolment_help"
    """Help with enrolment: resend a sign-in code, mark a card lost."""
    registration_view = "registration.view"
    """See a person's registrations and their history."""
    patent_view = "patent.view"
    """See the paid-until date of a person's work patent in a case file."""
    location_view = "location.view"
    """See a person's location reports and daily summaries, for a case."""
    appointment_manage = "appointment.manage"
    """Work the MMC appointment book: check visitors in, move or cancel visits."""
    appointment_hours = "appointment.hours"
    """Edit the MMC's opening hours and counters, and close days (with a reason)."""
    case_view = "case.view"
    """See the case queue and a case's file."""
    case_decide = "case.decide"
    """Decide a case: dismiss, extend the deadline, deregister (with a referral)."""
    objection_decide = "objection.decide"
    """Decide an objection (appeal) against a decision."""
    referral_confirm = "referral.confirm"
    """Confirm a referral to the Registry of Controlled Persons before it is sent."""
    policy_edit = "policy.edit"
    """Add a policy version (phases, deadlines, thresholds)."""
    calendar_edit = "calendar.edit"
    """Mark days off and working days in the production calendar."""
    staff_manage = "staff.manage"
    """Create and disable staff accounts, reset their second factor."""
    audit_read = "audit.read"
    """Read the audit log and its integrity report."""


#: The role → permission table. Changing access means changing this table (and docs/roles.md).
ROLE_PERMISSIONS: Mapping[Role, frozenset[Permission]] = {
    Role.operator: frozenset(
        {
            Permission.person_search,
            Permission.person_enrolment_help,
            Permission.registration_view,
            Permission.patent_view,
            Permission.appointment_manage,
            Permission.case_view,
        }
    ),
    Role.inspector: frozenset(
        {
            Permission.registration_view,
            Permission.patent_view,
            Permission.location_view,
            Permission.case_view,
            Permission.case_decide,
        }
    ),
    Role.supervisor: frozenset(
        {
            Permission.registration_view,
            Permission.patent_view,
            Permission.location_view,
            Permission.case_view,
            Permission.objection_decide,
            Permission.referral_confirm,
            Permission.policy_edit,
            Permission.calendar_edit,
            Permission.appointment_hours,
            Permission.staff_manage,
        }
    ),
    Role.auditor: frozenset({Permission.audit_read}),
}


#: Parts of a case file that need more than ``case.view``: the path in the case file (as the staff
#: API answers it; ``[]`` is every item of a list) → the permission. A role without it gets the
#: case file without that part — the field is absent, in the API and in the console alike.
#: Everything a case file says about where the person was or what their phone did is location
#: data: the day-by-day picture, the phone's status readings, the last report and contact, the
#: facts a notice was based on and what the phone reported when a reminder was sent.
#: docs/roles.md shows this table; tests/unit/test_roles.py checks that the two agree.
CASE_FILE_FIELDS: Mapping[str, Permission] = {
    "timeline": Permission.location_view,
    "device_status": Permission.location_view,
    "last_report_at": Permission.location_view,
    "last_contact_at": Permission.location_view,
    "notice.facts": Permission.location_view,
    "notices[].facts": Permission.location_view,
    "reminders[].phone": Permission.location_view,
}


#: The roles whose accounts a supervisor creates and manages in the console (separation of
#: duties). Supervisor and auditor accounts are created, disabled and reset only by the
#: installation's administrator with ``amina staff`` on the server: otherwise a supervisor
#: could make themselves an auditor to read the log of their own actions, or a second
#: supervisor to review their own decisions.
CONSOLE_MANAGED_ROLES: frozenset[Role] = frozenset({Role.operator, Role.inspector})


def may_manage_account(manager: Role | str, account_role: Role | str) -> bool:
    """Whether a staff member of role ``manager`` may create, disable or reset an account of
    ``account_role`` (the administrator, who is no staff role, is not asked)."""
    known = role_named(str(account_role))
    return (
        allows(manager, Permission.staff_manage)
        and known is not None
        and known in CONSOLE_MANAGED_ROLES
    )


def role_named(name: str) -> Role | None:
    """The role called ``name``, or None (e.g. for the 'system' actor, which is no staff role)."""
    try:
        return Role(name)
    except ValueError:
        return None


def permissions_of(role: Role | str) -> frozenset[Permission]:
    """Everything ``role`` may do; nothing for a name that is not a staff role."""
    known = role_named(str(role))
    return ROLE_PERMISSIONS[known] if known else frozenset()


def allows(role: Role | str, permission: Permission) -> bool:
    return permission in permissions_of(role)
