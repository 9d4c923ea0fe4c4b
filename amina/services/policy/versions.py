"""Reading and seeding policy data (SPEC §3, STYLE "Policy is data")."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from amina.adapters.db.policy.tables import PolicyVersionRow
from amina.adapters.db.staff.tables import StaffRow
from amina.adapters.db.uow import UnitOfWork
from amina.domain.calendar import moscow_date
from amina.domain.policy import (
    INITIAL_POLICY_DOCUMENT,
    INITIAL_POLICY_VERSION,
    Policy,
    PolicyBook,
)
from amina.domain.policy_revision import (
    ParameterChange,
    RevisionRefused,
    check_effective_from,
    full_parameters,
    next_version_id,
    revise,
)
from amina.domain.roles import Permission
from amina.i18n import N_
from amina.services.audit.trail import Actor, record_access
from amina.services.clock import Clock
from amina.services.errors import AminaError, ErrorKind, FieldError
from amina.services.staff.permissions import require


def policy_book(uow: UnitOfWork) -> PolicyBook:
    """Every policy version. Anyone may call it: policy is public."""
    rows = uow.session.scalars(select(PolicyVersionRow)).all()
    if not rows:
        return PolicyBook(
            [Policy.from_doc(INITIAL_POLICY_VERSION, date(2025, 9, 1), INITIAL_POLICY_DOCUMENT)]
        )
    return PolicyBook(Policy.from_doc(r.version, r.effective_from, r.document) for r in rows)


def ensure_initial_policy(uow: UnitOfWork, clock: Clock) -> bool:
    """Store the initial policy version if the table is empty. Returns True if it did."""
    if uow.session.scalar(select(PolicyVersionRow.version).limit(1)) is not None:
        return False
    uow.session.add(
        PolicyVersionRow(
            version=INITIAL_POLICY_VERSION,
            effective_from=date(2025, 9, 1),
            document=INITIAL_POLICY_DOCUMENT,
            created_at=clock.now(),
            created_by=None,
            reason="Initial policy: SPEC §3 phases, §6 retention, §7 deadlines",
        )
    )
    return True


# --- the policy editor (supervisors) ------------------------------------------------------------

#: A reason must say something: the order or decision the change follows.
MIN_REASON_LENGTH = 10
MAX_REASON_LENGTH = 2000


@dataclass(frozen=True)
class PolicyVersionEntry:
    """One stored version, with who added it and why."""

    version: str
    effective_from: date
    created_at: datetime
    created_by: str | None  # the staff member's display name; None: the system
    reason: str
    parameters: Mapping[str, Any]
    policy: Policy


@dataclass(frozen=True)
class ScheduledVersion:
    version: str
    effective_from: date
    based_on: str
    changes: list[ParameterChange]


#: code → (kind, title, field message)
_REFUSALS: dict[str, tuple[ErrorKind, str, str]] = {
    "policy_retroactive": (
        ErrorKind.invalid,
        N_("Policy is never changed retroactively"),
        N_("Choose today or a later day."),
    ),
    "parameter_unknown": (
        ErrorKind.invalid,
        N_("Unknown policy parameter"),
        N_("The policy has no parameter called %(name)s."),
    ),
    "parameter_not_switch": (
        ErrorKind.invalid,
        N_("A switch is on or off"),
        N_("Choose on or off for %(name)s."),
    ),
    "parameter_not_whole_number": (
        ErrorKind.invalid,
        N_("Enter a whole number"),
        N_("%(name)s takes a whole number, 0 or more."),
    ),
    "parameter_negative": (
        ErrorKind.invalid,
        N_("Enter a whole number"),
        N_("%(name)s cannot be negative."),
    ),
    "no_changes": (
        ErrorKind.invalid,
        N_("Nothing to change"),
        N_("Enter at least one value that differs from the version in force on that date."),
    ),
    "policy_reason_required": (
        ErrorKind.invalid,
        N_("State the reason"),
        N_("Name the order or decision this change follows (at least %(min)s characters)."),
    ),
}


def policy_edit_error(code: str, field: str | None = None) -> AminaError:
    """The error a supervisor sees for a refused policy change (a field error on ``field``)."""
    kind, title, message = _REFUSALS[code]
    params = {"name": field or "", "min": MIN_REASON_LENGTH}
    return AminaError(
        code,
        kind,
        title,
        errors=[FieldError(field or code, code, message, params)],
    )


def policy_history(uow: UnitOfWork) -> list[PolicyVersionEntry]:
    """Every stored version, by effective date, with who added it and why. Policy is public;
    the names are of staff, not of the people the policy is about."""
    rows = uow.session.execute(
        select(PolicyVersionRow, StaffRow.display_name)
        .outerjoin(StaffRow, StaffRow.id == PolicyVersionRow.created_by)
        .order_by(PolicyVersionRow.effective_from, PolicyVersionRow.version)
    ).all()
    return [
        PolicyVersionEntry(
            version=row.version,
            effective_from=row.effective_from,
            created_at=row.created_at,
            created_by=name,
            reason=row.reason,
            parameters=full_parameters(row.document.get("parameters", {})),
            policy=Policy.from_doc(row.version, row.effective_from, row.document),
        )
        for row, name in rows
    ]


def propose_policy_version(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    effective_from: date,
    changes: Mapping[str, object],
    reason: str,
) -> ScheduledVersion:
    """Add a policy version taking effect on ``effective_from`` (``policy.edit``: supervisors).

    ``effective_from`` is today's Moscow date or later; the new document is the version in
    force on that date with ``changes`` (parameter name → new value: a whole number ≥ 0, or a
    switch) applied. Audited with the reason as purpose and every change old → new. In the
    caller's transaction.
    """
    require(actor, Permission.policy_edit)
    reason = reason.strip()
    try:
        check_effective_from(effective_from, moscow_date(clock.now()))
        if not MIN_REASON_LENGTH <= len(reason) <= MAX_REASON_LENGTH:
            raise RevisionRefused("policy_reason_required", "reason")
        rows = uow.session.scalars(select(PolicyVersionRow)).all()
        base = policy_book(uow).in_force_on(effective_from)
        base_document: Mapping[str, Any] = next(
            (row.document for row in rows if row.version == base.version), INITIAL_POLICY_DOCUMENT
        )
        parameters, made = revise(base_document.get("parameters", {}), changes)
    except RevisionRefused as refusal:
        raise policy_edit_error(refusal.code, refusal.field) from None
    document = copy.deepcopy(dict(base_document))
    document["parameters"] = parameters
    version = next_version_id(effective_from, (row.version for row in rows))
    uow.session.add(
        PolicyVersionRow(
            version=version,
            effective_from=effective_from,
            document=document,
            created_at=clock.now(),
            created_by=actor.staff_id,
            reason=reason,
        )
    )
    try:
        uow.session.flush()
    except IntegrityError as error:  # another supervisor took the same version id just now
        raise AminaError(
            "policy_version_conflict",
            ErrorKind.conflict,
            N_("Please try again"),
            N_("Another change was saved at the same moment."),
        ) from error
    record_access(
        uow,
        clock,
        actor,
        action="policy.version_added",
        purpose=reason,
        details={
            "version": version,
            "effective_from": effective_from.isoformat(),
            "based_on": base.version,
            "changes": {c.name: {"old": c.old, "new": c.new} for c in made},
        },
    )
    return ScheduledVersion(version, effective_from, base.version, made)
