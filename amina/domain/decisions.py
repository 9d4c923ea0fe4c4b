"""Due process after a missed deadline (SPEC §7, §10): cases, decisions, referrals, objections.

- A missed deadline opens a **case**; nothing happens to the person until an inspector decides.
- The inspector decides with a **written reason**: ``dismiss`` (the address stands: the
  registration is active again), ``extend_deadline`` (a new date to answer the notice) or
  ``deregister``. Only a deregistration may carry a **referral** to the Registry of Controlled
  Persons, and a referral leaves only after a supervisor who is not the deciding inspector has
  confirmed it (four eyes).
- The person may **object** to a decision that went against them (an extension or a
  deregistration) within ``objection_days`` calendar days of it (policy). The objection reopens
  the case for a supervisor — again not the deciding inspector — who ``uphold``\\s the decision
  or ``overturn``\\s it, with a written reason. Overturning a deregistration restores the
  registration and withdraws the referral; overturning an extension treats the notice as
  answered (the registration is confirmed).

Case status: ``open`` (waiting for an inspector) → ``decided`` → ``reopened`` (objection) →
``closed`` (the objection was decided). A decided case without objection stays ``decided``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

#: A written reason says something a person can understand and answer to.
MIN_REASON_LENGTH = 10
MAX_REASON_LENGTH = 2000
#: An objection is the person's own words; it may be short, but not empty.
MIN_OBJECTION_LENGTH = 3
MAX_OBJECTION_LENGTH = 4000


class CaseStatus(StrEnum):
    open = "open"
    decided = "decided"
    reopened = "reopened"
    closed = "closed"


class DecisionKind(StrEnum):
    dismiss = "dismiss"
    extend_deadline = "extend_deadline"
    deregister = "deregister"


class ReferralStatus(StrEnum):
    pending_confirmation = "pending_confirmation"
    confirmed = "confirmed"  # a supervisor confirmed it; the outbox sends it
    sent = "sent"  # the registry received it
    rejected = "rejected"  # the supervisor refused to confirm it
    withdrawn = "withdrawn"  # the deregistration was overturned


class ObjectionOutcome(StrEnum):
    uphold = "uphold"  # the decision stands
    overturn = "overturn"  # the decision is undone


#: The standard reasons an inspector chooses from (issue 13), by code, with the decisions each
#: one may carry. The policy names the codes in force (``decision_reasons``); the words, in
#: every language, are the compliance catalog's (``services/compliance/messages.py``).
STANDARD_REASONS: Mapping[str, frozenset[DecisionKind]] = {
    "no_data_no_answer": frozenset({DecisionKind.extend_deadline, DecisionKind.deregister}),
    "outside_region_no_answer": frozenset({DecisionKind.extend_deadline, DecisionKind.deregister}),
    "not_living_at_address": frozenset({DecisionKind.deregister}),
    "phone_fault": frozenset({DecisionKind.dismiss, DecisionKind.extend_deadline}),
    "serious_personal_reason": frozenset({DecisionKind.dismiss, DecisionKind.extend_deadline}),
    "reports_arrived_late": frozenset({DecisionKind.dismiss}),
}


class Refusal(Exception):
    """A rule of due process says no. ``code`` is stable; ``field`` names the input at fault."""

    def __init__(self, code: str, field: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.field = field


def written_reason(reason: str | None) -> str:
    """The reason, trimmed; refuses a missing or too short one (``reason_required``)."""
    text = (reason or "").strip()
    if len(text) < MIN_REASON_LENGTH:
        raise Refusal("reason_required", "reason")
    if len(text) > MAX_REASON_LENGTH:
        raise Refusal("reason_too_long", "reason")
    return text


def reason_note(note: str | None) -> str:
    """The optional note beside a standard reason, trimmed (may be empty)."""
    text = (note or "").strip()
    if len(text) > MAX_REASON_LENGTH:
        raise Refusal("reason_too_long", "reason")
    return text


def check_standard_reason(code: str, kind: DecisionKind, in_force: Collection[str]) -> None:
    """A standard reason is one the policy has in force, and one that fits the decision."""
    if code not in in_force or code not in STANDARD_REASONS:
        raise Refusal("reason_code_unknown", "reason_code")
    if kind not in STANDARD_REASONS[code]:
        raise Refusal("reason_code_not_for_decision", "reason_code")


@dataclass(frozen=True)
class DecisionRequest:
    """``reason`` is the written reason, or — with a standard reason (``reason_code``) — the
    optional note beside it, written in ``note_language`` (the inspector's language)."""

    kind: DecisionKind
    reason: str
    new_deadline: date | None = None
    referral: bool = False
    reason_code: str | None = None
    note_language: str = "ru"


def check_decision(
    request: DecisionRequest,
    *,
    case_status: CaseStatus,
    today: date,
    standard_reasons: Collection[str] = (),
) -> str:
    """Whether an inspector may decide this case this way; returns the trimmed reason (the
    note, possibly empty, when a standard reason is chosen from ``standard_reasons``)."""
    if case_status is not CaseStatus.open:
        raise Refusal("case_not_open")
    if request.reason_code:
        check_standard_reason(request.reason_code, request.kind, standard_reasons)
        reason = reason_note(request.reason)
    else:
        reason = written_reason(request.reason)
    if request.kind is DecisionKind.extend_deadline:
        if request.new_deadline is None:
            raise Refusal("new_deadline_required", "new_deadline")
        if request.new_deadline <= today:
            raise Refusal("new_deadline_not_in_future", "new_deadline")
    elif request.new_deadline is not None:
        raise Refusal("new_deadline_only_when_extending", "new_deadline")
    if request.referral and request.kind is not DecisionKind.deregister:
        raise Refusal("referral_only_with_deregistration", "referral")
    return reason


def check_referral_confirmation(
    status: ReferralStatus, *, decided_by: str | None, confirming: str | None
) -> None:
    """Four eyes: the referral waits for confirmation, and the one confirming (or rejecting)
    is a different staff member from the inspector who decided."""
    if status is not ReferralStatus.pending_confirmation:
        raise Refusal("referral_not_pending")
    if confirming is None or confirming == decided_by:
        raise Refusal("four_eyes_required")


def objectable(kind: DecisionKind) -> bool:
    """A dismissal is in the person's favour: there is nothing to object to."""
    return kind is not DecisionKind.dismiss


def objection_deadline(decided_on: date, objection_days: int) -> date:
    """The last day the person may object (calendar days after the day of the decision)."""
    return decided_on + timedelta(days=objection_days)


def check_objection(
    kind: DecisionKind,
    *,
    decided_on: date,
    today: date,
    objection_days: int,
    already_objected: bool,
    text: str,
) -> str:
    """Whether the person may object to this decision now; returns the trimmed text."""
    if not objectable(kind):
        raise Refusal("decision_not_objectable")
    if already_objected:
        raise Refusal("objection_exists")
    if today > objection_deadline(decided_on, objection_days):
        raise Refusal("objection_period_over")
    words = text.strip()
    if len(words) < MIN_OBJECTION_LENGTH:
        raise Refusal("objection_text_required", "text")
    if len(words) > MAX_OBJECTION_LENGTH:
        raise Refusal("objection_text_too_long", "text")
    return words


def check_objection_decision(
    *,
    decided: bool,
    decided_by: str | None,
    supervisor: str | None,
    reason: str,
    decider_created_by: str | None = None,
) -> str:
    """A supervisor decides an objection once, with a reason; never the deciding inspector,
    and never the supervisor who created the deciding inspector's account
    (``decider_created_by``): otherwise one person could decide and review through an
    account of their own making."""
    if decided:
        raise Refusal("objection_already_decided")
    if supervisor is None or supervisor == decided_by:
        raise Refusal("four_eyes_required")
    if decider_created_by is not None and supervisor == decider_created_by:
        raise Refusal("reviewer_created_decider")
    return written_reason(reason)


@dataclass(frozen=True)
class OverturnEffects:
    """What undoing a decision does."""

    restore_registration: bool = False  # deregistered → active
    withdraw_referral: bool = False
    confirm_registration: bool = False  # confirmation_requested → active
    resolve_notice: bool = False


def overturn_effects(kind: DecisionKind) -> OverturnEffects:
    if kind is DecisionKind.deregister:
        return OverturnEffects(
            restore_registration=True, withdraw_referral=True, resolve_notice=True
        )
    if kind is DecisionKind.extend_deadline:
        return OverturnEffects(confirm_registration=True, resolve_notice=True)
    return OverturnEffects()


def withdrawal_needs_message(status: ReferralStatus) -> bool:
    """Whether the registry must be told of a withdrawal: it may already hold the referral once
    a supervisor confirmed it (the outbox may be sending it right now)."""
    return status in (ReferralStatus.confirmed, ReferralStatus.sent)


def may_withdraw(status: ReferralStatus) -> bool:
    return status in (
        ReferralStatus.pending_confirmation,
        ReferralStatus.confirmed,
        ReferralStatus.sent,
    )
