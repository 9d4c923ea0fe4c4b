"""The person's decisions and objections to them; a supervisor decides the objection (SPEC §7).

The person objects from the app within the objection period; the case is ``reopened`` for a
supervisor, who — not being the deciding inspector — upholds or overturns the decision with a
written reason. Overturning a deregistration restores the registration (unless another one has
taken its place meanwhile) and withdraws its referral; overturning an extension treats the
notice as answered. The case is then ``closed`` and the person told.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from amina.adapters.db.compliance.tables import (
    CaseRow,
    DecisionRow,
    NoticeRow,
    ObjectionRow,
    ReferralRow,
)
from amina.adapters.db.registration.tables import RegistrationRow
from amina.adapters.db.staff.tables import StaffRow
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.domain import purposes
from amina.domain.calendar import moscow_date
from amina.domain.compliance import ComplianceRules, NoticeStatus, unresolved
from amina.domain.decisions import (
    CaseStatus,
    DecisionKind,
    ObjectionOutcome,
    Refusal,
    check_objection,
    check_objection_decision,
    objectable,
    overturn_effects,
)
from amina.domain.registration import RegistrationStatus, holds_the_place
from amina.domain.roles import Permission
from amina.services.audit.trail import Actor, record_access
from amina.services.clock import Clock
from amina.services.compliance.cases import (
    Decision,
    Objection,
    Referral,
    decision_view,
    objection_view,
    referral_view,
)
from amina.services.compliance.errors import compliance_error, refused
from amina.services.compliance.messages import MessageKind
from amina.services.compliance.referrals import withdraw_referrals
from amina.services.delivery.inbox import tell
from amina.services.policy.versions import policy_book
from amina.services.registration.registrations import EventActor, confirm, restore
from amina.services.staff.permissions import require

QUEUE_PURPOSE = purposes.OBJECTION_QUEUE


@dataclass(frozen=True)
class PersonDecision:
    """A decision as the person sees it: with the reason, how to object, and their objection."""

    decision: Decision
    may_object: bool
    objection: Objection | None
    referrals: list[Referral]


def decisions_of(uow: UnitOfWork, clock: Clock, person_id: str) -> list[PersonDecision]:
    """Decisions on the person's cases, newest first (the person themself)."""
    today = moscow_date(clock.now())
    rows = uow.session.scalars(
        select(DecisionRow)
        .where(DecisionRow.person_id == person_id)
        .order_by(DecisionRow.created_at.desc(), DecisionRow.id)
    ).all()
    objections = {
        o.decision_id: o
        for o in uow.session.scalars(
            select(ObjectionRow).where(ObjectionRow.person_id == person_id)
        )
    }
    referrals: dict[str, list[Referral]] = {}
    for r in uow.session.scalars(select(ReferralRow).where(ReferralRow.person_id == person_id)):
        referrals.setdefault(r.decision_id, []).append(referral_view(r))
    found: list[PersonDecision] = []
    for row in rows:
        view = decision_view(row)
        objection = objections.get(row.id)
        may = (
            objectable(view.kind)
            and objection is None
            and view.objection_until is not None
            and today <= view.objection_until
        )
        found.append(
            PersonDecision(
                view,
                may,
                None if objection is None else objection_view(objection),
                referrals.get(row.id, []),
            )
        )
    return found


def object_to_decision(
    uow: UnitOfWork, clock: Clock, person_id: str, decision_id: str, text: str
) -> Objection:
    """The person objects to a decision on their case (the person only); the case reopens
    for a supervisor. In the caller's transaction."""
    decision = uow.session.get(DecisionRow, (person_id, decision_id))
    if decision is None:
        raise compliance_error("decision_not_found")
    case = uow.session.get(CaseRow, (person_id, decision.case_id), with_for_update=True)
    assert case is not None
    today = moscow_date(clock.now())
    policy = policy_book(uow).in_force_on(moscow_date(decision.created_at))
    already = (
        uow.session.scalar(
            select(ObjectionRow.id).where(
                ObjectionRow.person_id == person_id, ObjectionRow.decision_id == decision_id
            )
        )
        is not None
    )
    try:
        words = check_objection(
            DecisionKind(decision.kind),
            decided_on=moscow_date(decision.created_at),
            today=today,
            objection_days=ComplianceRules.from_policy(policy).objection_days,
            already_objected=already,
            text=text,
        )
    except Refusal as refusal:
        raise refused(refusal) from None
    now = clock.now()
    row = ObjectionRow(
        person_id=person_id,
        id=str(uuid.uuid4()),
        decision_id=decision_id,
        case_id=case.id,
        text=words,
        created_at=now,
    )
    uow.session.add(row)
    case.status = CaseStatus.reopened.value
    case.updated_at = now
    uow.session.flush()
    tell(
        uow,
        clock,
        person_id,
        MessageKind.objection_received,
        {"decision_date": moscow_date(decision.created_at).isoformat()},
        row.id,
    )
    return objection_view(row)


def objection_queue(
    uow: UnitOfWork, clock: Clock, actor: Actor, *, decided: bool = False, limit: int = 200
) -> list[Objection]:
    """Objections waiting for a supervisor (or decided ones), oldest first
    (``objection.decide``). Audited as one access without a person. In the caller's
    transaction."""
    require(actor, Permission.objection_decide)
    condition = ObjectionRow.outcome.is_not(None) if decided else ObjectionRow.outcome.is_(None)
    rows = uow.session.scalars(
        select(ObjectionRow)
        .where(condition)
        .order_by(ObjectionRow.created_at, ObjectionRow.id)
        .limit(limit)
    ).all()
    record_access(
        uow,
        clock,
        actor,
        action="objection.queue",
        purpose=QUEUE_PURPOSE,
        details={"decided": decided, "shown": len(rows)},
    )
    return [objection_view(row) for row in rows]


def _restore_if_free(
    uow: UnitOfWork, clock: Clock, actor: Actor, person_id: str, registration_id: str, reason: str
) -> bool:
    registration = uow.session.get(RegistrationRow, (person_id, registration_id))
    if registration is None or registration.status != RegistrationStatus.deregistered:
        return False
    taken = uow.session.scalar(
        select(RegistrationRow.id).where(
            RegistrationRow.person_id == person_id,
            RegistrationRow.status.in_([s.value for s in RegistrationStatus if holds_the_place(s)]),
        )
    )
    if taken is not None:  # the person registered another address meanwhile
        return False
    restore(uow, clock, person_id, registration_id, EventActor.staff(actor), reason)
    return True


def _creator_of(uow: UnitOfWork, staff_id: str | None) -> str | None:
    if staff_id is None:
        return None
    return uow.session.scalar(select(StaffRow.created_by).where(StaffRow.id == staff_id))


def decide_objection(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    objection_id: str,
    outcome: ObjectionOutcome,
    reason: str,
) -> Objection:
    """A supervisor (``objection.decide``), not the deciding inspector, upholds or overturns
    the decision, with a written reason. Audited; the person is told. In the caller's
    transaction."""
    require(actor, Permission.objection_decide)
    # the lock names the person (read first): a distributed database locks on one shard
    owner = uow.session.scalar(
        select(ObjectionRow.person_id).where(ObjectionRow.id == objection_id)
    )
    row = (
        None
        if owner is None
        else uow.session.scalar(
            select(ObjectionRow)
            .where(ObjectionRow.person_id == owner, ObjectionRow.id == objection_id)
            .with_for_update()
        )
    )
    if row is None:
        raise compliance_error("objection_not_found")
    person_id = row.person_id
    decision = uow.session.get(DecisionRow, (person_id, row.decision_id))
    case = uow.session.get(CaseRow, (person_id, row.case_id))
    assert decision is not None
    assert case is not None
    try:
        reason = check_objection_decision(
            decided=row.outcome is not None,
            decided_by=decision.staff_id,
            supervisor=actor.staff_id,
            reason=reason,
            decider_created_by=_creator_of(uow, decision.staff_id),
        )
    except Refusal as refusal:
        raise refused(refusal) from None
    now = clock.now()
    restored = False
    withdrawn = 0
    if outcome is ObjectionOutcome.overturn:
        effects = overturn_effects(DecisionKind(decision.kind))
        notice = uow.session.get(NoticeRow, (person_id, case.notice_id))
        assert notice is not None
        if effects.restore_registration:
            restored = _restore_if_free(
                uow, clock, actor, person_id, notice.registration_id, reason
            )
        if effects.withdraw_referral:
            withdrawn = withdraw_referrals(uow, clock, person_id, decision.id, reason)
        if effects.confirm_registration:
            registration = uow.session.get(RegistrationRow, (person_id, notice.registration_id))
            if registration is not None and registration.status == "confirmation_requested":
                confirm(uow, clock, person_id, registration.id, EventActor.staff(actor), reason)
        if effects.resolve_notice and unresolved(NoticeStatus(notice.status)):
            notice.status = NoticeStatus.resolved.value
            notice.resolved_at = now
            notice.resolution = "overturned"
    row.outcome = outcome.value
    row.supervisor_id = actor.staff_id
    row.reason = reason
    row.decided_at = now
    case.status = CaseStatus.closed.value
    case.updated_at = now
    record_access(
        uow,
        clock,
        actor,
        action="objection.decide",
        purpose=reason,
        person_id=person_id,
        details={
            "objection_id": row.id,
            "decision_id": decision.id,
            "outcome": outcome.value,
            "registration_restored": restored,
            "referrals_withdrawn": withdrawn,
        },
    )
    tell(
        uow,
        clock,
        person_id,
        MessageKind.objection_decided,
        {
            "outcome": outcome.value,
            "reason": reason,
            "decision_date": moscow_date(decision.created_at).isoformat(),
            "restored": restored,
            "withdrawn": withdrawn > 0,
        },
        row.id,
    )
    uow.session.flush()
    return objection_view(row)


# --- use cases: each in one transaction of its own, committed here ------------------------------


def show_objection_queue(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor, *, decided: bool = False
) -> list[Objection]:
    """The objection queue (:func:`objection_queue`), its audit entry committed."""
    with uow_factory() as uow:
        found = objection_queue(uow, clock, actor, decided=decided)
        uow.commit()
    return found


def submit_objection_decision(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    objection_id: str,
    outcome: ObjectionOutcome,
    reason: str,
) -> Objection:
    """A supervisor upholds or overturns a decision objected to (:func:`decide_objection`)."""
    with uow_factory() as uow:
        found = decide_objection(uow, clock, actor, objection_id, outcome, reason)
        uow.commit()
    return found
