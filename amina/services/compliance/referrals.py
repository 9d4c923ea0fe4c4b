"""Referrals to the Registry of Controlled Persons: four eyes, then the outbox (SPEC §7).

A deregistration may carry a referral. It waits (``pending_confirmation``) until a supervisor
who is not the deciding inspector confirms it — then it goes to the registry through the outbox
(``confirmed`` → ``sent`` once the registry has it) — or rejects it with a reason. Overturning
the deregistration withdraws it (:func:`withdraw_referrals`), telling the registry if it may
already hold it. The message format is docs/registry-contract.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from amina.adapters.db.compliance.tables import CaseRow, DecisionRow, NoticeRow, ReferralRow
from amina.adapters.db.identity.tables import CardRow, PersonRow
from amina.adapters.db.registration.tables import RegistrationRow
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.domain import purposes
from amina.domain.calendar import moscow_date
from amina.domain.decisions import (
    ReferralStatus,
    Refusal,
    check_referral_confirmation,
    may_withdraw,
    withdrawal_needs_message,
    written_reason,
)
from amina.domain.delivery import Channel
from amina.domain.roles import Permission
from amina.services.audit.trail import Actor, record_access
from amina.services.clock import Clock
from amina.services.compliance.cases import Referral, referral_view
from amina.services.compliance.errors import compliance_error, refused
from amina.services.compliance.messages import MessageKind
from amina.services.delivery.inbox import enqueue, tell
from amina.services.staff.permissions import require

#: The version of the message format in docs/registry-contract.md.
CONTRACT_VERSION = "1"
QUEUE_PURPOSE = purposes.REFERRAL_QUEUE


def _find(uow: UnitOfWork, referral_id: str) -> ReferralRow:
    """The referral, locked for update; the lock names its person (read first), so that a
    distributed database takes it on one shard (docs/scale-out.md)."""
    person_id = uow.session.scalar(
        select(ReferralRow.person_id).where(ReferralRow.id == referral_id)
    )
    row = (
        None
        if person_id is None
        else uow.session.scalar(
            select(ReferralRow)
            .where(ReferralRow.person_id == person_id, ReferralRow.id == referral_id)
            .with_for_update()
        )
    )
    if row is None:
        raise compliance_error("referral_not_found")
    return row


def referral_queue(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    status: ReferralStatus = ReferralStatus.pending_confirmation,
    limit: int = 200,
) -> list[Referral]:
    """Referrals by status, oldest first (``referral.confirm``: supervisors). Ids and dates
    only; audited as one access without a person. In the caller's transaction."""
    require(actor, Permission.referral_confirm)
    rows = uow.session.scalars(
        select(ReferralRow)
        .where(ReferralRow.status == status.value)
        .order_by(ReferralRow.created_at, ReferralRow.id)
        .limit(limit)
    ).all()
    record_access(
        uow,
        clock,
        actor,
        action="referral.queue",
        purpose=QUEUE_PURPOSE,
        details={"status": status.value, "shown": len(rows)},
    )
    return [referral_view(row) for row in rows]


def registry_message(uow: UnitOfWork, referral: ReferralRow, now: datetime) -> dict[str, Any]:
    """The referral as the registry receives it (docs/registry-contract.md)."""
    decision = uow.session.get(DecisionRow, (referral.person_id, referral.decision_id))
    case = uow.session.get(CaseRow, (referral.person_id, referral.case_id))
    assert decision is not None
    assert case is not None
    notice = uow.session.get(NoticeRow, (referral.person_id, case.notice_id))
    assert notice is not None
    registration = uow.session.get(RegistrationRow, (referral.person_id, notice.registration_id))
    _person, card = uow.session.execute(
        select(PersonRow, CardRow)
        .join(CardRow, CardRow.card_number == PersonRow.card_number)
        .where(PersonRow.id == referral.person_id)
    ).one()
    return {
        "type": "referral",
        "contract_version": CONTRACT_VERSION,
        "referral_id": referral.id,
        "person": {
            "card_number": card.card_number,
            "surname_lat": card.surname_lat,
            "given_names_lat": card.given_names_lat,
            "surname_cyr": card.surname_cyr,
            "given_names_cyr": card.given_names_cyr,
            "date_of_birth": card.date_of_birth.isoformat(),
            "citizenship": card.citizenship,
            "passport_number": card.passport_number,
        },
        "registration_number": None if registration is None else registration.number,
        "decision": {
            "id": decision.id,
            "kind": decision.kind,
            "reason": decision.reason,
            "decided_on": moscow_date(decision.created_at).isoformat(),
            "decided_by": decision.staff_id,
            "policy_version": decision.policy_version,
        },
        "confirmed_by": referral.confirmed_by,
        "confirmed_at": now.isoformat(),
    }


def confirm_referral(
    uow: UnitOfWork, clock: Clock, actor: Actor, referral_id: str, purpose: str
) -> Referral:
    """A supervisor (``referral.confirm``), not the deciding inspector, confirms the referral;
    it goes to the registry through the outbox. Audited; the person is told. In the caller's
    transaction."""
    require(actor, Permission.referral_confirm)
    row = _find(uow, referral_id)
    try:
        check_referral_confirmation(
            ReferralStatus(row.status), decided_by=row.decided_by, confirming=actor.staff_id
        )
    except Refusal as refusal:
        raise refused(refusal) from None
    now = clock.now()
    row.status = ReferralStatus.confirmed.value
    row.confirmed_by = actor.staff_id
    row.confirmed_at = now
    uow.session.flush()
    enqueue(
        uow,
        clock,
        row.person_id,
        Channel.registry,
        f"referral:{row.id}",
        registry_message(uow, row, now),
    )
    record_access(
        uow,
        clock,
        actor,
        action="referral.confirm",
        purpose=purpose,
        person_id=row.person_id,
        details={"referral_id": row.id, "decision_id": row.decision_id},
    )
    decision = uow.session.get(DecisionRow, (row.person_id, row.decision_id))
    assert decision is not None
    tell(
        uow,
        clock,
        row.person_id,
        MessageKind.referral_confirmed,
        {
            "decision_date": moscow_date(decision.created_at).isoformat(),
            "objection_until": decision.objection_until.isoformat(),
        },
        row.id,
    )
    return referral_view(row)


def reject_referral(
    uow: UnitOfWork, clock: Clock, actor: Actor, referral_id: str, reason: str
) -> Referral:
    """A supervisor (``referral.confirm``), not the deciding inspector, refuses the referral
    with a written reason. The deregistration itself stands. Audited; the person is told. In
    the caller's transaction."""
    require(actor, Permission.referral_confirm)
    row = _find(uow, referral_id)
    try:
        check_referral_confirmation(
            ReferralStatus(row.status), decided_by=row.decided_by, confirming=actor.staff_id
        )
        reason = written_reason(reason)
    except Refusal as refusal:
        raise refused(refusal) from None
    now = clock.now()
    row.status = ReferralStatus.rejected.value
    row.confirmed_by = actor.staff_id
    row.closing_reason = reason
    row.closed_at = now
    record_access(
        uow,
        clock,
        actor,
        action="referral.reject",
        purpose=reason,
        person_id=row.person_id,
        details={"referral_id": row.id, "decision_id": row.decision_id},
    )
    decision = uow.session.get(DecisionRow, (row.person_id, row.decision_id))
    assert decision is not None
    tell(
        uow,
        clock,
        row.person_id,
        MessageKind.referral_rejected,
        {"decision_date": moscow_date(decision.created_at).isoformat(), "reason": reason},
        row.id,
    )
    return referral_view(row)


def withdraw_referrals(
    uow: UnitOfWork, clock: Clock, person_id: str, decision_id: str, reason: str
) -> int:
    """Withdraw the decision's referrals (its deregistration was overturned); the registry is
    told when it may already hold one. In the caller's transaction; returns how many."""
    rows = uow.session.scalars(
        select(ReferralRow)
        .where(ReferralRow.person_id == person_id, ReferralRow.decision_id == decision_id)
        .with_for_update()
    ).all()
    now = clock.now()
    withdrawn = 0
    for row in rows:
        status = ReferralStatus(row.status)
        if not may_withdraw(status):
            continue
        row.status = ReferralStatus.withdrawn.value
        row.closing_reason = reason
        row.closed_at = now
        if withdrawal_needs_message(status):
            enqueue(
                uow,
                clock,
                person_id,
                Channel.registry,
                f"withdrawal:{row.id}",
                {
                    "type": "withdrawal",
                    "contract_version": CONTRACT_VERSION,
                    "referral_id": row.id,
                    "reason": reason,
                    "withdrawn_at": now.isoformat(),
                },
            )
        withdrawn += 1
    return withdrawn


# --- use cases: each in one transaction of its own, committed here ------------------------------


def show_referral_queue(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    status: ReferralStatus = ReferralStatus.pending_confirmation,
) -> list[Referral]:
    """The referral queue (:func:`referral_queue`), its audit entry committed."""
    with uow_factory() as uow:
        found = referral_queue(uow, clock, actor, status)
        uow.commit()
    return found


def submit_referral_confirmation(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor, referral_id: str, purpose: str
) -> Referral:
    """A supervisor confirms a referral (:func:`confirm_referral`)."""
    with uow_factory() as uow:
        found = confirm_referral(uow, clock, actor, referral_id, purpose)
        uow.commit()
    return found


def submit_referral_rejection(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor, referral_id: str, reason: str
) -> Referral:
    """A supervisor refuses a referral (:func:`reject_referral`)."""
    with uow_factory() as uow:
        found = reject_referral(uow, clock, actor, referral_id, reason)
        uow.commit()
    return found
