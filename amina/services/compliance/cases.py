"""Cases and the inspector's decisions (SPEC §7, §10): the queue, the case file, the decision.

A case is opened by the daily sweep when a notice's deadline passed unanswered; nothing
happens to the person until an inspector decides, with a written reason:

- ``dismiss`` — the notice is resolved and the registration is active again;
- ``extend_deadline`` — the notice is open again with the new deadline (missing it opens a new
  case);
- ``deregister`` — the registration is deregistered; the decision may carry a referral to the
  Registry of Controlled Persons, which waits for a supervisor's confirmation (four eyes;
  :mod:`amina.services.compliance.referrals`).

Every decision is told to the person in their language with the reason and how to object, and
every staff access — the queue, a case file (with its purpose), a decision — is audited in the
same transaction; accesses to a person's data appear in the person's access log.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from amina.adapters.db.compliance.tables import (
    CaseRow,
    DecisionRow,
    NoticeRow,
    ObjectionRow,
    ReferralRow,
    ReminderRow,
)
from amina.adapters.db.identity.tables import CardRow, PersonRow
from amina.adapters.db.registration.tables import RegistrationRow
from amina.adapters.db.reports.tables import DailySummaryRow, DeviceStatusRow, PersonLastReportRow
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.domain import purposes
from amina.domain.address import Address, format_address
from amina.domain.calendar import MOSCOW, moscow_date
from amina.domain.cards import masked_phone
from amina.domain.compliance import ComplianceRules, NoticeStatus
from amina.domain.decisions import (
    STANDARD_REASONS,
    CaseStatus,
    DecisionKind,
    DecisionRequest,
    ReferralStatus,
    Refusal,
    check_decision,
    objectable,
    objection_deadline,
)
from amina.domain.roles import CASE_FILE_FIELDS, Permission, allows
from amina.services.audit.trail import Actor, Purpose, record_access
from amina.services.clock import Clock
from amina.services.compliance.errors import compliance_error, refused
from amina.services.compliance.messages import MessageKind, reason_as_written
from amina.services.compliance.notices import Notice, notice_view
from amina.services.delivery.inbox import tell
from amina.services.policy.versions import policy_book
from amina.services.registration.registrations import EventActor, confirm, deregister
from amina.services.staff.permissions import require

#: How many days before the silence the case file's timeline starts.
TIMELINE_DAYS_BEFORE = 7
QUEUE_PURPOSE = purposes.CASE_QUEUE


# --- what staff see ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseSummary:
    id: str
    person_id: str
    status: CaseStatus
    notice_id: str
    notice_kind: str
    notice_deadline: date
    opened_at: datetime
    age_days: int


@dataclass(frozen=True)
class Decision:
    id: str
    person_id: str
    case_id: str
    kind: DecisionKind
    reason: str
    staff_id: str
    new_deadline: date | None
    objection_until: date | None
    created_at: datetime
    #: The standard reason, the note beside it and the note's language (issue 13): None for a
    #: reason written without one.
    reason_code: str | None = None
    reason_note: str | None = None
    note_language: str | None = None


@dataclass(frozen=True)
class DecisionPreview:
    """What a decision will do, shown to the inspector to confirm before it is final."""

    kind: DecisionKind
    referral: bool
    reason: str
    objection_until: date | None
    new_deadline: date | None


@dataclass(frozen=True)
class Referral:
    id: str
    person_id: str
    case_id: str
    decision_id: str
    status: ReferralStatus
    decided_by: str
    created_at: datetime
    confirmed_by: str | None
    confirmed_at: datetime | None
    closing_reason: str | None
    sent_at: datetime | None


@dataclass(frozen=True)
class Objection:
    id: str
    person_id: str
    decision_id: str
    case_id: str
    text: str
    created_at: datetime
    outcome: str | None
    supervisor_id: str | None
    reason: str | None
    decided_at: datetime | None


@dataclass(frozen=True)
class TimelineDay:
    """One Moscow day of the case file's picture: reports and what the phone said."""

    day: date
    working_day: bool
    reports: int
    inside_region: int
    near_address: int
    device_status_problems: int


@dataclass(frozen=True)
class StatusReading:
    reported_at: datetime
    location_permission: bool | None
    location_services: bool | None
    battery_saver: bool | None
    app_version: str | None


@dataclass(frozen=True)
class CaseFile:
    """A case file as the staff member who opened it may see it: the parts their role does not
    include (``CASE_FILE_FIELDS``, docs/roles.md) are named in ``withheld`` and left out — the
    lists and times are None, a notice's ``facts`` None, a reminder without ``phone``."""

    case: CaseSummary
    person_name_latin: str
    person_name_cyrillic: str
    card_number: str
    phone: str
    language: str
    registration_id: str
    registration_number: str
    registration_status: str
    address: str
    notice: Notice
    notices: list[Notice]
    reminders: list[dict[str, Any]]
    timeline: list[TimelineDay] | None
    device_status: list[StatusReading] | None
    last_report_at: datetime | None
    last_contact_at: datetime | None
    decisions: list[Decision]
    referrals: list[Referral]
    objections: list[Objection]
    withheld: frozenset[str] = frozenset()

    def shows(self, path: str) -> bool:
        """Whether the part ``path`` of ``CASE_FILE_FIELDS`` is in this case file."""
        return path not in self.withheld


def decision_view(row: DecisionRow) -> Decision:
    return Decision(
        id=row.id,
        person_id=row.person_id,
        case_id=row.case_id,
        kind=DecisionKind(row.kind),
        reason=row.reason,
        staff_id=row.staff_id,
        new_deadline=row.new_deadline,
        objection_until=row.objection_until if objectable(DecisionKind(row.kind)) else None,
        created_at=row.created_at,
        reason_code=row.reason_code,
        reason_note=row.reason_note,
        note_language=row.note_language,
    )


def referral_view(row: ReferralRow) -> Referral:
    return Referral(
        id=row.id,
        person_id=row.person_id,
        case_id=row.case_id,
        decision_id=row.decision_id,
        status=ReferralStatus(row.status),
        decided_by=row.decided_by,
        created_at=row.created_at,
        confirmed_by=row.confirmed_by,
        confirmed_at=row.confirmed_at,
        closing_reason=row.closing_reason,
        sent_at=row.sent_at,
    )


def objection_view(row: ObjectionRow) -> Objection:
    return Objection(
        id=row.id,
        person_id=row.person_id,
        decision_id=row.decision_id,
        case_id=row.case_id,
        text=row.text,
        created_at=row.created_at,
        outcome=row.outcome,
        supervisor_id=row.supervisor_id,
        reason=row.reason,
        decided_at=row.decided_at,
    )


def _summary(case: CaseRow, notice: NoticeRow, now: datetime) -> CaseSummary:
    return CaseSummary(
        id=case.id,
        person_id=case.person_id,
        status=CaseStatus(case.status),
        notice_id=notice.id,
        notice_kind=notice.kind,
        notice_deadline=case.notice_deadline,
        opened_at=case.opened_at,
        age_days=(moscow_date(now) - moscow_date(case.opened_at)).days,
    )


def find_case(uow: UnitOfWork, case_id: str, *, lock: bool = False) -> tuple[CaseRow, NoticeRow]:
    """The case and its notice; with ``lock``, the case row locked for update. Staff name a
    case by its id alone: the lock is taken with the person it belongs to (read first), so a
    distributed database routes it to that person's shard (docs/scale-out.md)."""
    query = select(CaseRow).where(CaseRow.id == case_id)
    if lock:
        person_id = uow.session.scalar(select(CaseRow.person_id).where(CaseRow.id == case_id))
        if person_id is None:
            raise compliance_error("case_not_found")
        query = query.where(CaseRow.person_id == person_id).with_for_update()
    case = uow.session.scalar(query)
    if case is None:
        raise compliance_error("case_not_found")
    notice = uow.session.get(NoticeRow, (case.person_id, case.notice_id))
    assert notice is not None  # foreign key
    return case, notice


# --- the queue --------------------------------------------------------------------------------


def case_queue(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    *,
    statuses: tuple[CaseStatus, ...] = (CaseStatus.open,),
    opened_before: date | None = None,
    deadline_before: date | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[CaseSummary]:
    """Cases by status, oldest first (``case.view``: operators, inspectors, supervisors),
    ``limit`` from the ``offset``-th (the console pages through them).

    Filters: opened before a day (age), missed deadline before a day. Shows ids and dates only —
    no names — and is audited as one access without a person. In the caller's transaction.
    """
    require(actor, Permission.case_view)
    query = (
        select(CaseRow, NoticeRow)
        .join(
            NoticeRow,
            (NoticeRow.person_id == CaseRow.person_id) & (NoticeRow.id == CaseRow.notice_id),
        )
        .where(CaseRow.status.in_([s.value for s in statuses]))
        .order_by(CaseRow.opened_at, CaseRow.id)
        .limit(limit)
        .offset(offset)
    )
    if deadline_before is not None:
        query = query.where(CaseRow.notice_deadline < deadline_before)
    if opened_before is not None:  # opened on a Moscow day before it
        query = query.where(
            CaseRow.opened_at < datetime.combine(opened_before, time(), tzinfo=MOSCOW)
        )
    rows = uow.session.execute(query).all()
    now = clock.now()
    found = [_summary(case, notice, now) for case, notice in rows]
    record_access(
        uow,
        clock,
        actor,
        action="case.queue",
        purpose=QUEUE_PURPOSE,
        details={"statuses": [s.value for s in statuses], "shown": len(found)},
    )
    return found


# --- the case file ----------------------------------------------------------------------------


def _timeline(uow: UnitOfWork, person_id: str, start: date, end: date) -> list[TimelineDay]:
    from amina.services.policy.calendar import working_calendar

    calendar = working_calendar(uow)
    rows = {
        row.day: row
        for row in uow.session.scalars(
            select(DailySummaryRow).where(
                DailySummaryRow.person_id == person_id,
                DailySummaryRow.day >= start,
                DailySummaryRow.day <= end,
            )
        )
    }
    days: list[TimelineDay] = []
    day = start
    while day <= end:
        row = rows.get(day)
        days.append(
            TimelineDay(
                day=day,
                working_day=calendar.is_working_day(day),
                reports=0 if row is None else row.reports,
                inside_region=0 if row is None else row.inside_region,
                near_address=0 if row is None else row.near_address,
                device_status_problems=0 if row is None else row.device_status_problems,
            )
        )
        day += timedelta(days=1)
    return days


def _device_status(uow: UnitOfWork, person_id: str, start: date, end: date) -> list[StatusReading]:
    from amina.domain.calendar import MOSCOW

    low = datetime.combine(start, datetime.min.time(), MOSCOW)
    high = datetime.combine(end + timedelta(days=1), datetime.min.time(), MOSCOW)
    rows = uow.session.scalars(
        select(DeviceStatusRow)
        .where(
            DeviceStatusRow.person_id == person_id,
            DeviceStatusRow.reported_at >= low,
            DeviceStatusRow.reported_at < high,
        )
        .order_by(DeviceStatusRow.reported_at)
        .limit(500)
    ).all()
    return [
        StatusReading(
            r.reported_at,
            r.location_permission,
            r.location_services,
            r.battery_saver,
            r.app_version,
        )
        for r in rows
    ]


def withheld_from(actor: Actor) -> frozenset[str]:
    """The parts of a case file ``actor``'s role may not see (``CASE_FILE_FIELDS``)."""
    return frozenset(
        path for path, permission in CASE_FILE_FIELDS.items() if not allows(actor.role, permission)
    )


def _without(notice: Notice, withheld: frozenset[str], path: str) -> Notice:
    return replace(notice, facts=None) if path in withheld else notice


def case_file(
    uow: UnitOfWork, clock: Clock, actor: Actor, case_id: str, purpose: str | Purpose
) -> CaseFile:
    """Everything an inspector needs to decide (``case.view``), audited with its purpose and
    shown in the person's access log. In the caller's transaction, which commits (the audit
    entry is the point).

    Least privilege by field: what the role may not see (location data without
    ``location.view``: an operator's case file) is not read and not returned."""
    require(actor, Permission.case_view)
    withheld = withheld_from(actor)
    case, notice = find_case(uow, case_id)
    person_id = case.person_id
    person, card = uow.session.execute(
        select(PersonRow, CardRow)
        .join(CardRow, CardRow.card_number == PersonRow.card_number)
        .where(PersonRow.id == person_id)
    ).one()
    registration = uow.session.get(RegistrationRow, (person_id, notice.registration_id))
    assert registration is not None  # foreign key
    now = clock.now()
    today = moscow_date(now)
    start = notice.episode_start - timedelta(days=TIMELINE_DAYS_BEFORE)
    notices = uow.session.scalars(
        select(NoticeRow)
        .where(NoticeRow.person_id == person_id, NoticeRow.registration_id == registration.id)
        .order_by(NoticeRow.created_at)
    ).all()
    reminders = uow.session.scalars(
        select(ReminderRow)
        .where(ReminderRow.person_id == person_id, ReminderRow.registration_id == registration.id)
        .order_by(ReminderRow.created_at)
    ).all()
    decisions = uow.session.scalars(
        select(DecisionRow)
        .where(DecisionRow.person_id == person_id, DecisionRow.case_id == case.id)
        .order_by(DecisionRow.created_at)
    ).all()
    referrals = uow.session.scalars(
        select(ReferralRow)
        .where(ReferralRow.person_id == person_id, ReferralRow.case_id == case.id)
        .order_by(ReferralRow.created_at)
    ).all()
    objections = uow.session.scalars(
        select(ObjectionRow)
        .where(ObjectionRow.person_id == person_id, ObjectionRow.case_id == case.id)
        .order_by(ObjectionRow.created_at)
    ).all()
    last = None
    if "last_report_at" not in withheld or "last_contact_at" not in withheld:
        last = uow.session.get(PersonLastReportRow, person_id)
    record_access(
        uow,
        clock,
        actor,
        action="case.view_file",
        purpose=purpose,
        person_id=person_id,
        details={"case_id": case.id, "from": start.isoformat(), "to": today.isoformat()},
    )
    address = Address(
        registration.region,
        registration.settlement,
        registration.street,
        registration.house,
        registration.building,
        registration.flat,
        registration.fias_id,
        registration.lat,
        registration.lon,
    )
    return CaseFile(
        case=_summary(case, notice, now),
        person_name_latin=f"{card.surname_lat} {card.given_names_lat}",
        person_name_cyrillic=f"{card.surname_cyr} {card.given_names_cyr}",
        card_number=card.card_number,
        phone=masked_phone(card.phone),
        language=person.language,
        registration_id=registration.id,
        registration_number=registration.number,
        registration_status=registration.status,
        address=format_address(address),
        notice=_without(notice_view(notice), withheld, "notice.facts"),
        notices=[_without(notice_view(n), withheld, "notices[].facts") for n in notices],
        reminders=[
            {
                "id": r.id,
                "since": r.episode_start.isoformat(),
                "created_at": r.created_at,
            }
            | ({} if "reminders[].phone" in withheld else {"phone": r.signal})
            for r in reminders
        ],
        timeline=None if "timeline" in withheld else _timeline(uow, person_id, start, today),
        device_status=None
        if "device_status" in withheld
        else _device_status(uow, person_id, start, today),
        last_report_at=None if last is None or "last_report_at" in withheld else last.device_time,
        last_contact_at=None
        if last is None or "last_contact_at" in withheld
        else last.last_contact_at,
        decisions=[decision_view(d) for d in decisions],
        referrals=[referral_view(r) for r in referrals],
        objections=[objection_view(o) for o in objections],
        withheld=withheld,
    )


# --- deciding ---------------------------------------------------------------------------------


def decide_case(
    uow: UnitOfWork, clock: Clock, actor: Actor, case_id: str, request: DecisionRequest
) -> tuple[Decision, Referral | None]:
    """The inspector's decision (``case.decide``), with a written reason; in the caller's
    transaction: the decision, its effect on the notice and registration, a referral waiting
    for confirmation (if asked), the audit entry, and the message to the person."""
    require(actor, Permission.case_decide)
    case, notice = find_case(uow, case_id, lock=True)
    now = clock.now()
    today = moscow_date(now)
    policy = policy_book(uow).in_force_on(today)
    try:
        note = check_decision(
            request,
            case_status=CaseStatus(case.status),
            today=today,
            standard_reasons=policy.decision_reasons,
        )
    except Refusal as refusal:
        raise refused(refusal) from None
    reason = reason_as_written(request.reason_code, note, request.note_language)
    rules = ComplianceRules.from_policy(policy)
    person_id = case.person_id
    staff = EventActor.staff(actor)
    registration = uow.session.get(RegistrationRow, (person_id, notice.registration_id))
    assert registration is not None
    kind = request.kind
    if kind is DecisionKind.dismiss:
        notice.status = NoticeStatus.resolved.value
        notice.resolved_at = now
        notice.resolution = "dismissed"
        if registration.status == "confirmation_requested":
            confirm(uow, clock, person_id, registration.id, staff, reason)
    elif kind is DecisionKind.extend_deadline:
        assert request.new_deadline is not None
        notice.status = NoticeStatus.open.value
        notice.deadline = request.new_deadline
        notice.expired_at = None
    else:
        deregister(uow, clock, person_id, registration.id, staff, reason)
    case.status = CaseStatus.decided.value
    case.updated_at = now
    row = DecisionRow(
        person_id=person_id,
        id=str(uuid.uuid4()),
        case_id=case.id,
        kind=kind.value,
        reason=reason,
        staff_id=actor.staff_id or "system",
        new_deadline=request.new_deadline,
        objection_until=objection_deadline(today, rules.objection_days),
        policy_version=policy.version,
        created_at=now,
        reason_code=request.reason_code or None,
        reason_note=note if request.reason_code else None,
        note_language=request.note_language if request.reason_code and note else None,
    )
    uow.session.add(row)
    uow.session.flush()
    referral: ReferralRow | None = None
    if request.referral:
        referral = ReferralRow(
            person_id=person_id,
            id=str(uuid.uuid4()),
            case_id=case.id,
            decision_id=row.id,
            status=ReferralStatus.pending_confirmation.value,
            decided_by=row.staff_id,
            created_at=now,
        )
        uow.session.add(referral)
        uow.session.flush()
    record_access(
        uow,
        clock,
        actor,
        action="case.decide",
        purpose=reason,
        person_id=person_id,
        details={
            "case_id": case.id,
            "decision_id": row.id,
            "kind": kind.value,
            "referral": referral is not None,
            "new_deadline": None
            if request.new_deadline is None
            else request.new_deadline.isoformat(),
        },
    )
    view = decision_view(row)
    tell(uow, clock, person_id, MessageKind.decision, _message(view, referral is not None), row.id)
    return view, None if referral is None else referral_view(referral)


def _message(view: Decision, referral: bool) -> dict[str, Any]:
    """The decision's message to the person (rendered in their language when read)."""
    params: dict[str, Any] = {
        "decision_kind": view.kind.value,
        "reason": view.reason,
        "referral": referral,
    }
    if view.reason_code:  # the person reads the standard reason in their own language
        params["reason_code"] = view.reason_code
        params["note"] = view.reason_note or ""
        params["note_language"] = view.note_language
    if view.new_deadline is not None:
        params["new_deadline"] = view.new_deadline.isoformat()
    if view.objection_until is not None:
        params["objection_until"] = view.objection_until.isoformat()
    return params


def decision_preview(
    uow: UnitOfWork, clock: Clock, actor: Actor, case_id: str, request: DecisionRequest
) -> DecisionPreview:
    """What ``request`` would do, checked by the same rules as :func:`decide_case` but not
    taken: the console shows it for the inspector to confirm a deregistration or a referral
    before it is final. Reads the case's status only (nothing of the person); in the caller's
    transaction, which writes nothing."""
    require(actor, Permission.case_decide)
    case, _ = find_case(uow, case_id)
    today = moscow_date(clock.now())
    policy = policy_book(uow).in_force_on(today)
    try:
        note = check_decision(
            request,
            case_status=CaseStatus(case.status),
            today=today,
            standard_reasons=policy.decision_reasons,
        )
    except Refusal as refusal:
        raise refused(refusal) from None
    rules = ComplianceRules.from_policy(policy)
    return DecisionPreview(
        kind=request.kind,
        referral=request.referral,
        reason=reason_as_written(request.reason_code, note, request.note_language),
        objection_until=objection_deadline(today, rules.objection_days)
        if objectable(request.kind)
        else None,
        new_deadline=request.new_deadline,
    )


# --- use cases: each in one transaction of its own, committed here ------------------------------


def show_case_queue(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    *,
    statuses: tuple[CaseStatus, ...] = (CaseStatus.open,),
    opened_before: date | None = None,
    deadline_before: date | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[CaseSummary]:
    """The case queue (:func:`case_queue`, ``case.view``), its audit entry committed."""
    with uow_factory() as uow:
        cases = case_queue(
            uow,
            clock,
            actor,
            statuses=statuses,
            opened_before=opened_before,
            deadline_before=deadline_before,
            limit=limit,
            offset=offset,
        )
        uow.commit()
    return cases


def show_case_file(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    case_id: str,
    purpose: str | Purpose,
) -> CaseFile:
    """A case file (:func:`case_file`, ``case.view``), its audit entry with the purpose
    committed."""
    with uow_factory() as uow:
        found = case_file(uow, clock, actor, case_id, purpose)
        uow.commit()
    return found


def preview_decision(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    case_id: str,
    request: DecisionRequest,
) -> DecisionPreview:
    """What a decision would do (:func:`decision_preview`); writes nothing, commits nothing."""
    with uow_factory() as uow:
        return decision_preview(uow, clock, actor, case_id, request)


def standard_reasons_in_force(
    uow_factory: UnitOfWorkFactory, clock: Clock
) -> list[tuple[str, frozenset[DecisionKind]]]:
    """The standard reasons of the policy in force today, each with the decisions it fits (the
    console's decision form offers them)."""
    with uow_factory() as uow:
        policy = policy_book(uow).in_force_on(moscow_date(clock.now()))
    return [(code, STANDARD_REASONS[code]) for code in policy.decision_reasons]


def submit_decision(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    case_id: str,
    request: DecisionRequest,
) -> tuple[Decision, Referral | None]:
    """An inspector decides a case (:func:`decide_case`, ``case.decide``)."""
    with uow_factory() as uow:
        decided = decide_case(uow, clock, actor, case_id, request)
        uow.commit()
    return decided
