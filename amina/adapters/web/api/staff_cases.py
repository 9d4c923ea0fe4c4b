"""Staff: cases, decisions, referrals and objections (``/api/v1/staff/...``; SPEC §7, §10).

Staff session cookie plus ``X-CSRF-Token`` on writes (amina.adapters.web.staff_auth). Every
call checks the role's permission and is audited; opening a case file needs a stated purpose,
and it, every decision, confirmation and objection decision appear in the person's access log.

| who | may |
|---|---|
| operator, inspector, supervisor (``case.view``) | the case queue and case files |
| inspector (``case.decide``) | decide: dismiss, extend the deadline, deregister (+ referral) |
| supervisor (``referral.confirm``) | confirm or reject a referral — not one they decided |
| supervisor (``objection.decide``) | uphold or overturn a decision objected to |
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from amina.adapters.web.context import container_of, language_of
from amina.adapters.web.staff_auth import staff_with
from amina.domain.decisions import (
    CaseStatus,
    DecisionKind,
    DecisionRequest,
    ObjectionOutcome,
    ReferralStatus,
)
from amina.domain.roles import Permission
from amina.i18n import normalise_language
from amina.services.compliance.cases import (
    CaseFile,
    CaseSummary,
    Decision,
    Objection,
    Referral,
    show_case_file,
    show_case_queue,
    submit_decision,
)
from amina.services.compliance.objections import show_objection_queue, submit_objection_decision
from amina.services.compliance.referrals import (
    show_referral_queue,
    submit_referral_confirmation,
    submit_referral_rejection,
)
from amina.services.staff.accounts import SignedInStaff

router = APIRouter(prefix="/api/v1/staff", tags=["staff"])

Purpose = Annotated[
    str,
    Field(
        max_length=500,
        description="Why you need this person's data (at least 5 characters); shown to the "
        "person in their access log",
    ),
]
Reason = Annotated[
    str,
    Field(
        max_length=2000,
        description="The written reason (at least 10 characters); the person reads it",
    ),
]


# --- models ------------------------------------------------------------------------------------


class CaseOut(BaseModel):
    id: str
    person_id: str
    status: Literal["open", "decided", "reopened", "closed"]
    notice_id: str
    notice_kind: str
    missed_deadline: date
    opened_at: datetime
    age_days: int


class NoticeFileOut(BaseModel):
    id: str
    kind: str
    status: str
    since: date
    deadline: date
    covered_from: date
    policy_version: str
    facts: dict[str, Any] | None = Field(
        default=None,
        description="What the notice was based on; absent without location.view",
    )
    created_at: datetime
    answered_at: datetime | None
    resolved_at: datetime | None
    resolution: str | None
    answer: dict[str, Any] | None


class TimelineDayOut(BaseModel):
    day: date
    working_day: bool
    reports: int
    inside_region: int
    near_address: int
    device_status_problems: int


class StatusReadingOut(BaseModel):
    reported_at: datetime
    location_permission: bool | None
    location_services: bool | None
    battery_saver: bool | None
    app_version: str | None


class DecisionOut(BaseModel):
    id: str
    case_id: str
    kind: Literal["dismiss", "extend_deadline", "deregister"]
    reason: str
    staff_id: str
    new_deadline: date | None
    objection_until: date | None
    created_at: datetime
    reason_code: str | None = None
    note_language: str | None = None


class ReferralOut(BaseModel):
    id: str
    person_id: str
    case_id: str
    decision_id: str
    status: Literal["pending_confirmation", "confirmed", "sent", "rejected", "withdrawn"]
    decided_by: str
    created_at: datetime
    confirmed_by: str | None
    confirmed_at: datetime | None
    closing_reason: str | None
    sent_at: datetime | None


class ObjectionOut(BaseModel):
    id: str
    person_id: str
    case_id: str
    decision_id: str
    text: str
    created_at: datetime
    outcome: Literal["uphold", "overturn"] | None
    supervisor_id: str | None
    reason: str | None
    decided_at: datetime | None


class CaseFileOut(BaseModel):
    case: CaseOut
    person: dict[str, str]
    registration: dict[str, str]
    notice: NoticeFileOut
    notices: list[NoticeFileOut]
    reminders: list[dict[str, Any]]
    timeline: list[TimelineDayOut] | None = Field(
        default=None,
        description="One entry per Moscow day from a week before the silence to today; "
        "absent without location.view",
    )
    device_status: list[StatusReadingOut] | None = Field(
        default=None, description="The phone's status readings; absent without location.view"
    )
    last_report_at: datetime | None = Field(
        default=None, description="The last location report; absent without location.view"
    )
    last_contact_at: datetime | None = Field(
        default=None,
        description="When the phone last reached Amina; absent without location.view",
    )
    decisions: list[DecisionOut]
    referrals: list[ReferralOut]
    objections: list[ObjectionOut]


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["dismiss", "extend_deadline", "deregister"]
    reason: Reason = Field(
        default="",
        description="The written reason; with reason_code, the optional note beside it",
    )
    reason_code: str | None = Field(
        default=None,
        max_length=40,
        description="A standard reason from the policy (docs/compliance.md): the person reads "
        "it in their language; reason is then an optional note, shown as written",
    )
    note_language: str | None = Field(
        default=None,
        max_length=8,
        description="The language the note is written in (default: the request's language)",
    )
    new_deadline: date | None = Field(default=None, description="Only with extend_deadline")
    referral: bool = Field(
        default=False,
        description="Only with deregister: propose a referral to the Registry of Controlled "
        "Persons (a supervisor must confirm it)",
    )


class DecidedOut(BaseModel):
    decision: DecisionOut
    referral: ReferralOut | None


class PurposeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: Purpose


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason


class ObjectionDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["uphold", "overturn"]
    reason: Reason


def case_out(case: CaseSummary) -> CaseOut:
    return CaseOut(
        id=case.id,
        person_id=case.person_id,
        status=case.status.value,
        notice_id=case.notice_id,
        notice_kind=case.notice_kind,
        missed_deadline=case.notice_deadline,
        opened_at=case.opened_at,
        age_days=case.age_days,
    )


def decision_out(decision: Decision) -> DecisionOut:
    return DecisionOut(
        id=decision.id,
        case_id=decision.case_id,
        kind=decision.kind.value,
        reason=decision.reason,
        staff_id=decision.staff_id,
        new_deadline=decision.new_deadline,
        objection_until=decision.objection_until,
        created_at=decision.created_at,
        reason_code=decision.reason_code,
        note_language=decision.note_language,
    )


def referral_out(referral: Referral) -> ReferralOut:
    return ReferralOut(
        id=referral.id,
        person_id=referral.person_id,
        case_id=referral.case_id,
        decision_id=referral.decision_id,
        status=referral.status.value,
        decided_by=referral.decided_by,
        created_at=referral.created_at,
        confirmed_by=referral.confirmed_by,
        confirmed_at=referral.confirmed_at,
        closing_reason=referral.closing_reason,
        sent_at=referral.sent_at,
    )


def objection_out(objection: Objection) -> ObjectionOut:
    return ObjectionOut(
        id=objection.id,
        person_id=objection.person_id,
        case_id=objection.case_id,
        decision_id=objection.decision_id,
        text=objection.text,
        created_at=objection.created_at,
        outcome=objection.outcome,
        supervisor_id=objection.supervisor_id,
        reason=objection.reason,
        decided_at=objection.decided_at,
    )


def case_file_out(found: CaseFile) -> CaseFileOut:
    """The answer; a part the service withheld (docs/roles.md, field by field) is left unset,
    and the route answers without unset fields, so it is absent rather than null."""

    def notice(n: Any) -> NoticeFileOut:
        facts = {} if n.facts is None else {"facts": dict(n.facts)}
        return NoticeFileOut(
            id=n.id,
            kind=n.kind.value,
            status=n.status.value,
            since=n.since,
            deadline=n.deadline,
            covered_from=n.covered_from,
            policy_version=n.policy_version,
            created_at=n.created_at,
            answered_at=n.answered_at,
            resolved_at=n.resolved_at,
            resolution=n.resolution,
            answer=None if n.answer is None else dict(n.answer),
            **facts,
        )

    location: dict[str, Any] = {}
    if found.timeline is not None:
        location["timeline"] = [TimelineDayOut(**vars(d)) for d in found.timeline]
    if found.device_status is not None:
        location["device_status"] = [StatusReadingOut(**vars(s)) for s in found.device_status]
    if found.shows("last_report_at"):
        location["last_report_at"] = found.last_report_at
    if found.shows("last_contact_at"):
        location["last_contact_at"] = found.last_contact_at
    return CaseFileOut(
        case=case_out(found.case),
        person={
            "id": found.case.person_id,
            "name_latin": found.person_name_latin,
            "name_cyrillic": found.person_name_cyrillic,
            "card_number": found.card_number,
            "phone": found.phone,
            "language": found.language,
        },
        registration={
            "id": found.registration_id,
            "number": found.registration_number,
            "status": found.registration_status,
            "address": found.address,
        },
        notice=notice(found.notice),
        notices=[notice(n) for n in found.notices],
        reminders=found.reminders,
        decisions=[decision_out(d) for d in found.decisions],
        referrals=[referral_out(r) for r in found.referrals],
        objections=[objection_out(o) for o in found.objections],
        **location,
    )


# --- cases -------------------------------------------------------------------------------------


@router.get("/cases", response_model=list[CaseOut])
def cases(
    request: Request,
    staff: SignedInStaff = Depends(staff_with(Permission.case_view)),
    status: Annotated[
        list[Literal["open", "decided", "reopened", "closed"]] | None,
        Query(description="Repeat for several; default: open"),
    ] = None,
    opened_before: Annotated[date | None, Query(description="Older than: opened before")] = None,
    deadline_before: Annotated[date | None, Query(description="Missed deadline before")] = None,
) -> list[CaseOut]:
    """The case queue, oldest first: ids and dates only (open a case file to see more)."""
    container = container_of(request)
    statuses = tuple(CaseStatus(s) for s in (status or ["open"]))
    found = show_case_queue(
        container.uow,
        container.clock,
        staff.actor,
        statuses=statuses,
        opened_before=opened_before,
        deadline_before=deadline_before,
    )
    return [case_out(c) for c in found]


@router.get(
    "/cases/{case_id}",
    response_model=CaseFileOut,
    response_model_exclude_unset=True,
    responses={404: {"description": "case_not_found"}, 422: {"description": "purpose_required"}},
)
def open_case_file(
    case_id: str,
    request: Request,
    purpose: Annotated[str, Query(max_length=500, description="Why you open this case file")],
    staff: SignedInStaff = Depends(staff_with(Permission.case_view)),
) -> CaseFileOut:
    """The case file: the person, the registration, the notices and answers, a day-by-day
    picture of reports and phone status, decisions, referrals, objections. Audited with the
    purpose; the person sees it in their access log."""
    container = container_of(request)
    found = show_case_file(container.uow, container.clock, staff.actor, case_id, purpose)
    return case_file_out(found)


@router.post(
    "/cases/{case_id}/decisions",
    status_code=201,
    response_model=DecidedOut,
    responses={
        404: {"description": "case_not_found"},
        409: {"description": "case_not_open, illegal_transition"},
        422: {"description": "reason_required, new_deadline_required, ..."},
    },
)
def decide(
    case_id: str,
    body: DecisionIn,
    request: Request,
    staff: SignedInStaff = Depends(staff_with(Permission.case_decide)),
) -> DecidedOut:
    """Decide the case with a written reason; the person is told in their language, with the
    reason and how to object."""
    container = container_of(request)
    decision_request = DecisionRequest(
        DecisionKind(body.kind),
        body.reason,
        body.new_deadline,
        body.referral,
        reason_code=body.reason_code or None,
        note_language=normalise_language(body.note_language) or language_of(request),
    )
    decision, referral = submit_decision(
        container.uow, container.clock, staff.actor, case_id, decision_request
    )
    return DecidedOut(
        decision=decision_out(decision),
        referral=None if referral is None else referral_out(referral),
    )


# --- referrals ---------------------------------------------------------------------------------


@router.get("/referrals", response_model=list[ReferralOut])
def referrals(
    request: Request,
    staff: SignedInStaff = Depends(staff_with(Permission.referral_confirm)),
    status: Annotated[
        Literal["pending_confirmation", "confirmed", "sent", "rejected", "withdrawn"],
        Query(description="default: waiting for confirmation"),
    ] = "pending_confirmation",
) -> list[ReferralOut]:
    """Referrals to the Registry of Controlled Persons by status, oldest first."""
    container = container_of(request)
    found = show_referral_queue(container.uow, container.clock, staff.actor, ReferralStatus(status))
    return [referral_out(r) for r in found]


@router.post(
    "/referrals/{referral_id}/confirm",
    response_model=ReferralOut,
    responses={
        403: {"description": "forbidden, four_eyes_required"},
        404: {"description": "referral_not_found"},
        409: {"description": "referral_not_pending"},
    },
)
def confirm(
    referral_id: str,
    body: PurposeIn,
    request: Request,
    staff: SignedInStaff = Depends(staff_with(Permission.referral_confirm)),
) -> ReferralOut:
    """Confirm a referral (four eyes: not the deciding inspector); it goes to the registry
    through the outbox."""
    container = container_of(request)
    found = submit_referral_confirmation(
        container.uow, container.clock, staff.actor, referral_id, body.purpose
    )
    return referral_out(found)


@router.post(
    "/referrals/{referral_id}/reject",
    response_model=ReferralOut,
    responses={
        403: {"description": "forbidden, four_eyes_required"},
        404: {"description": "referral_not_found"},
        409: {"description": "referral_not_pending"},
    },
)
def reject(
    referral_id: str,
    body: ReasonIn,
    request: Request,
    staff: SignedInStaff = Depends(staff_with(Permission.referral_confirm)),
) -> ReferralOut:
    """Refuse a referral with a written reason (the deregistration stands)."""
    container = container_of(request)
    found = submit_referral_rejection(
        container.uow, container.clock, staff.actor, referral_id, body.reason
    )
    return referral_out(found)


# --- objections --------------------------------------------------------------------------------


@router.get("/objections", response_model=list[ObjectionOut])
def objections(
    request: Request,
    staff: SignedInStaff = Depends(staff_with(Permission.objection_decide)),
    decided: Annotated[bool, Query(description="false: waiting for a supervisor")] = False,
) -> list[ObjectionOut]:
    """Objections, oldest first."""
    container = container_of(request)
    found = show_objection_queue(container.uow, container.clock, staff.actor, decided=decided)
    return [objection_out(o) for o in found]


@router.post(
    "/objections/{objection_id}/decision",
    response_model=ObjectionOut,
    responses={
        403: {"description": "forbidden, four_eyes_required"},
        404: {"description": "objection_not_found"},
        409: {"description": "objection_already_decided"},
    },
)
def decide_on_objection(
    objection_id: str,
    body: ObjectionDecisionIn,
    request: Request,
    staff: SignedInStaff = Depends(staff_with(Permission.objection_decide)),
) -> ObjectionOut:
    """Uphold or overturn the decision, with a written reason. Overturning a deregistration
    restores the registration and withdraws its referral."""
    container = container_of(request)
    found = submit_objection_decision(
        container.uow,
        container.clock,
        staff.actor,
        objection_id,
        ObjectionOutcome(body.outcome),
        body.reason,
    )
    return objection_out(found)
