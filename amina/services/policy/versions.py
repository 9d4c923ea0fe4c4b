"""Reading and seeding policy data (SPEC §3, STYLE "Policy is data")."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from amina.adapters.db.policy.tables import PolicyVersionRow
from amina.adapters.db.staff.tables import StaffRow
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.domain.calendar import moscow_date
from amina.domain.policy import (
    INITIAL_POLICY_DOCUMENT,
    INITIAL_POLICY_VERSION,
    Policy,
    PolicyBook,
)
from amina.domain.policy_revision import (
    ParameterChange,
    Problem,
    RevisionRefused,
    check_effective_from,
    full_parameters,
    next_version_id,
    parameter_range,
    revise,
)
from amina.domain.roles import Permission
from amina.i18n import N_
from amina.services.audit.trail import Actor, record_access
from amina.services.clock import Clock
from amina.services.errors import AminaError, ErrorKind, FieldError
from amina.services.staff.permissions import require

log = structlog.get_logger("amina.policy")

#: The note of the version the system makes itself (translated where it is shown).
INITIAL_POLICY_NOTE = N_("Initial policy: SPEC §3 phases, §6 retention, §7 deadlines")

#: (database, version, parameter) already warned about in this process: a warning, not one per
#: request.
_warned: set[tuple[str, str, str]] = set()


def _warn_unusable(policy: Policy, database: str) -> Policy:
    for name in policy.unusable:
        if (database, policy.version, name) not in _warned:
            _warned.add((database, policy.version, name))
            log.warning(
                "policy_parameter_unusable",
                version=policy.version,
                parameter=name,
                using="default",
            )
    return policy


def policy_book(uow: UnitOfWork) -> PolicyBook:
    """Every policy version. Anyone may call it: policy is public.

    A stored parameter value of the wrong type or out of its range (written before the ranges
    existed, or by hand) is read as the parameter's default, with a warning in the log naming
    the version and the parameter — nothing else: a bad value never crashes ingest or a job."""
    rows = uow.session.scalars(select(PolicyVersionRow)).all()
    if not rows:
        return PolicyBook(
            [Policy.from_doc(INITIAL_POLICY_VERSION, date(2025, 9, 1), INITIAL_POLICY_DOCUMENT)]
        )
    database = str(uow.session.get_bind().engine.url.database)
    return PolicyBook(
        _warn_unusable(Policy.from_doc(r.version, r.effective_from, r.document), database)
        for r in rows
    )


def ensure_initial_policy(uow: UnitOfWork, clock: Clock) -> bool:
    """Store the initial policy version if the table is empty. Returns True if it did. In the
    caller's transaction (:func:`store_initial_policy` is the use case)."""
    if uow.session.scalar(select(PolicyVersionRow.version).limit(1)) is not None:
        return False
    uow.session.add(
        PolicyVersionRow(
            version=INITIAL_POLICY_VERSION,
            effective_from=date(2025, 9, 1),
            document=INITIAL_POLICY_DOCUMENT,
            created_at=clock.now(),
            created_by=None,
            reason=INITIAL_POLICY_NOTE,
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
    "parameter_out_of_range": (
        ErrorKind.invalid,
        N_("A value is out of its range"),
        N_("%(name)s takes a value from %(min)s to %(max)s."),
    ),
    "effective_from_invalid": (
        ErrorKind.invalid,
        N_("Enter a date"),
        N_("Enter a date as YYYY-MM-DD."),
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


def _params(problem: Problem) -> dict[str, Any]:
    params: dict[str, Any] = {"name": problem.field or "", "min": MIN_REASON_LENGTH}
    if problem.code == "parameter_out_of_range" and problem.field:
        allowed = parameter_range(problem.field, 0)
        params |= {"min": allowed.minimum, "max": allowed.maximum}
    return params


def policy_edit_error(code: str, field: str | None = None) -> AminaError:
    """The error a supervisor sees for a refused policy change (a field error on ``field``)."""
    return policy_edit_errors([Problem(code, field)])


def policy_edit_errors(problems: Iterable[Problem]) -> AminaError:
    """Every problem of a refused policy change in one error, a field error each: the editor
    shows them all at once. The title is the problem's own when there is one."""
    found = list(problems)
    kind, title, _ = _REFUSALS[found[0].code]
    if len(found) > 1:
        title = N_("Correct the values marked")
    return AminaError(
        found[0].code if len(found) == 1 else "policy_change_invalid",
        kind,
        title,
        errors=[
            FieldError(p.field or p.code, p.code, _REFUSALS[p.code][2], _params(p)) for p in found
        ],
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
    effective_from: date | None,
    changes: Mapping[str, object],
    reason: str,
) -> ScheduledVersion:
    """Add a policy version taking effect on ``effective_from`` (``policy.edit``: supervisors).

    ``effective_from`` is today's Moscow date or later (None: what was entered is no date);
    the new document is the version in force on that date with ``changes`` (parameter name →
    new value: a switch, or a whole number within the parameter's range) applied. Every problem
    — the date, the reason, each value — is refused at once, in one error. Audited with the
    reason as purpose and every change old → new. In the caller's transaction.
    """
    require(actor, Permission.policy_edit)
    reason = reason.strip()
    today = moscow_date(clock.now())
    problems: list[Problem] = []
    if effective_from is None:
        problems.append(Problem("effective_from_invalid", "effective_from"))
    else:
        try:
            check_effective_from(effective_from, today)
        except RevisionRefused as refusal:
            problems.extend(refusal.problems)
    if not MIN_REASON_LENGTH <= len(reason) <= MAX_REASON_LENGTH:
        problems.append(Problem("policy_reason_required", "reason"))
    on = effective_from if effective_from is not None else today
    rows = uow.session.scalars(select(PolicyVersionRow)).all()
    base = policy_book(uow).in_force_on(on)
    base_document: Mapping[str, Any] = next(
        (row.document for row in rows if row.version == base.version), INITIAL_POLICY_DOCUMENT
    )
    try:
        parameters, made = revise(base_document.get("parameters", {}), changes)
    except RevisionRefused as refusal:
        # "nothing to change" only when nothing else is wrong
        problems.extend(p for p in refusal.problems if p.code != "no_changes" or not problems)
    if problems:
        raise policy_edit_errors(problems)
    assert effective_from is not None
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


# --- use cases: each in one transaction of its own, committed here ------------------------------


def store_initial_policy(uow_factory: UnitOfWorkFactory, clock: Clock) -> bool:
    """The system (``amina db upgrade``) stores the initial policy version if there is none
    (:func:`ensure_initial_policy`). Returns True if it did."""
    with uow_factory() as uow:
        stored = ensure_initial_policy(uow, clock)
        if stored:
            uow.commit()
    return stored


def submit_policy_version(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    effective_from: date | None,
    changes: Mapping[str, object],
    reason: str,
) -> ScheduledVersion:
    """A supervisor schedules a policy version (:func:`propose_policy_version`)."""
    with uow_factory() as uow:
        scheduled = propose_policy_version(uow, clock, actor, effective_from, changes, reason)
        uow.commit()
    return scheduled
