"""The supervisor's review queues as the console shows them: each referral or objection with
the decision it is about, and the names of the staff involved.

The queues themselves (what is waiting, the permission, the audit entry) are
:func:`amina.services.compliance.referrals.referral_queue` and
:func:`amina.services.compliance.objections.objection_queue`; this module only adds what a
supervisor needs to read next to each item to decide it: the decision's kind, reason and date, and
who took it (four eyes: the page says so when it is the supervisor themself).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, tuple_

from amina.adapters.db.compliance.tables import DecisionRow
from amina.adapters.db.staff.tables import StaffRow
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.domain.decisions import ReferralStatus
from amina.services.audit.trail import Actor
from amina.services.clock import Clock
from amina.services.compliance.cases import Decision, Objection, Referral, decision_view
from amina.services.compliance.objections import objection_queue
from amina.services.compliance.referrals import referral_queue


@dataclass(frozen=True)
class ReferralForReview:
    referral: Referral
    decision: Decision


@dataclass(frozen=True)
class ObjectionForReview:
    objection: Objection
    decision: Decision


def staff_names(uow: UnitOfWork, staff_ids: Iterable[str | None]) -> dict[str, str]:
    """Display names of staff members by id (for "decided by" and "added by" columns). Staff
    names are not personal data of the people the system is about; anyone signed in to the
    console may read them."""
    wanted = {i for i in staff_ids if i}
    if not wanted:
        return {}
    rows = uow.session.execute(
        select(StaffRow.id, StaffRow.display_name).where(StaffRow.id.in_(wanted))
    )
    return {row.id: row.display_name for row in rows}


def _decisions(uow: UnitOfWork, keys: set[tuple[str, str]]) -> dict[str, Decision]:
    if not keys:
        return {}
    rows = uow.session.scalars(
        select(DecisionRow).where(tuple_(DecisionRow.person_id, DecisionRow.id).in_(list(keys)))
    )
    return {row.id: decision_view(row) for row in rows}


def referrals_for_review(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    status: ReferralStatus = ReferralStatus.pending_confirmation,
) -> list[ReferralForReview]:
    """The referral queue (``referral.confirm``: supervisors; audited by the queue) with each
    referral's decision. In the caller's transaction."""
    queue = referral_queue(uow, clock, actor, status)
    decisions = _decisions(uow, {(r.person_id, r.decision_id) for r in queue})
    return [ReferralForReview(r, decisions[r.decision_id]) for r in queue]


def objections_for_review(
    uow: UnitOfWork, clock: Clock, actor: Actor, *, decided: bool = False
) -> list[ObjectionForReview]:
    """The objection queue (``objection.decide``: supervisors; audited by the queue) with the
    decision each objection is against. In the caller's transaction."""
    queue = objection_queue(uow, clock, actor, decided=decided)
    decisions = _decisions(uow, {(o.person_id, o.decision_id) for o in queue})
    return [ObjectionForReview(o, decisions[o.decision_id]) for o in queue]


# --- use cases: each in one transaction of its own, committed here ------------------------------


def show_referrals_for_review(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    status: ReferralStatus = ReferralStatus.pending_confirmation,
) -> tuple[list[ReferralForReview], dict[str, str]]:
    """The console's referral queue (:func:`referrals_for_review`) and the names of the staff
    who decided and confirmed; the queue's audit entry committed."""
    with uow_factory() as uow:
        items = referrals_for_review(uow, clock, actor, status)
        names = staff_names(
            uow, [i.decision.staff_id for i in items] + [i.referral.confirmed_by for i in items]
        )
        uow.commit()
    return items, names


def show_objections_for_review(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor, *, decided: bool = False
) -> tuple[list[ObjectionForReview], dict[str, str]]:
    """The console's objection queue (:func:`objections_for_review`) and the names of the staff
    who decided and who settled each objection; the queue's audit entry committed."""
    with uow_factory() as uow:
        items = objections_for_review(uow, clock, actor, decided=decided)
        names = staff_names(
            uow,
            [i.decision.staff_id for i in items] + [i.objection.supervisor_id for i in items],
        )
        uow.commit()
    return items, names
