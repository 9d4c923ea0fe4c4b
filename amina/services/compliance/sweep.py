"""The daily compliance sweep (SPEC §7): reminders, notices, cases — set-based, in chunks.

One run for one Moscow working day, in three passes; every pass is idempotent (running the
sweep twice for a day issues nothing twice), because what it writes is keyed by unique
constraints and inserted with ``ON CONFLICT DO NOTHING``, and only rows that went in are
announced to the person:

1. **Resolve** — open notices (and expired ones whose case waits for an inspector) that the
   person's daily summaries now cover are resolved (:func:`resolve_notices_covered_by`);
   open notices whose registration no longer holds the place (the address changed) are closed.
2. **Deadlines** — open notices whose deadline has passed while the registration still awaits
   confirmation are ``expired`` and a **case** is opened for each (never a sanction).
3. **Issue** — active registrations are read in chunks of ``chunk_size`` by ``person_id``
   (keyset pagination) joined with the person, the card and ``person_last_report`` (one row
   per person, kept current at ingest; raw reports are never read). The cut-off days for "more
   than N working days" are computed once per run from the calendar, so the silence filter is a
   date comparison in SQL. For the rows that pass it, eligibility and
   :func:`amina.domain.compliance.assess` decide in Python; notices and reminders are bulk
   inserted, the registrations move to ``confirmation_requested`` with their events, and the
   inbox and outbox rows are written — all of a chunk in one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Table, and_, case, exists, func, or_, select, tuple_, update

from amina.adapters.db.bulk import insert_new_rows, insert_rows
from amina.adapters.db.compliance.tables import CaseRow, NoticeRow, ReminderRow
from amina.adapters.db.identity.tables import CardRow, PersonRow
from amina.adapters.db.registration.tables import RegistrationEventRow, RegistrationRow
from amina.adapters.db.reports.tables import DailySummaryRow, PersonLastReportRow
from amina.adapters.db.results import rowcount
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.domain.calendar import MOSCOW, WorkingCalendar, moscow_date
from amina.domain.compliance import (
    ComplianceRules,
    DeviceStatus,
    NoticeKind,
    NoticeStatus,
    NoticeToIssue,
    PersonFacts,
    ReminderToIssue,
    assess,
    silence_cutoff,
)
from amina.domain.decisions import CaseStatus
from amina.domain.eligibility import (
    Category,
    EligibilityFacts,
    EligibilityStatus,
    Purpose,
    evaluate,
)
from amina.domain.policy import Policy
from amina.domain.registration import RegistrationStatus, transition
from amina.domain.reports import FLAG_ORDER, Flag
from amina.services.audit.trail import SYSTEM, record_access
from amina.services.clock import Clock
from amina.services.compliance.messages import MessageKind
from amina.services.compliance.notices import resolve_notices_covered_by
from amina.services.delivery.inbox import PersonMessage, tell_many
from amina.services.policy.calendar import working_calendar
from amina.services.policy.versions import policy_book

DEFAULT_CHUNK = 10_000
#: Resolution and deadline passes work through this many notices per transaction.
NOTICE_CHUNK = 1_000

S = RegistrationStatus
FAR_FROM_ADDRESS_BIT = 1 << FLAG_ORDER.index(Flag.far_from_address)

Progress = Callable[[int], None]


@dataclass
class SweepReport:
    """What one run did (counts only: it is logged and printed)."""

    day: date
    working_day: bool
    policy_version: str = ""
    chunks: int = 0
    #: people whose facts the rules looked at (the rest were filtered out in SQL)
    candidates: int = 0
    reminders: int = 0
    notices: int = 0
    cases: int = 0
    resolved: int = 0
    closed: int = 0
    notices_by_kind: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        if not self.working_day:
            return f"{self.day}: not a working day; nothing issued"
        return (
            f"{self.day}: {self.reminders} reminder(s), {self.notices} notice(s), "
            f"{self.cases} case(s), {self.resolved} resolved, {self.closed} closed; "
            f"{self.candidates} person(s) examined in {self.chunks} chunk(s)"
        )


def moscow_midnight(day: date) -> datetime:
    """The instant a Moscow calendar day starts (aware)."""
    return datetime.combine(day, time(0), MOSCOW)


def _table(row_class: Any) -> Table:
    table: Table = row_class.__table__
    return table


# --- 1. resolve ---------------------------------------------------------------------------------


def _resolve_pass(uow_factory: UnitOfWorkFactory, clock: Clock, report: SweepReport) -> None:
    summaries = DailySummaryRow
    # the same test as domain.compliance.covers, in SQL, so only covered notices are visited
    covered = exists().where(
        summaries.person_id == NoticeRow.person_id,
        summaries.day >= NoticeRow.covered_from,
        summaries.day <= NoticeRow.deadline,
        summaries.reports > 0,
        or_(
            NoticeRow.kind == NoticeKind.no_data.value,
            and_(NoticeRow.kind == NoticeKind.out_of_region.value, summaries.inside_region > 0),
            and_(NoticeRow.kind == NoticeKind.away_from_address.value, summaries.near_address > 0),
        ),
    )
    with uow_factory() as uow:
        people = list(
            uow.session.scalars(
                select(NoticeRow.person_id)
                .where(
                    NoticeRow.status.in_([NoticeStatus.open.value, NoticeStatus.expired.value]),
                    covered,
                )
                .distinct()
            )
        )
    for start in range(0, len(people), NOTICE_CHUNK):
        with uow_factory() as uow:
            for person_id in people[start : start + NOTICE_CHUNK]:
                report.resolved += resolve_notices_covered_by(uow, clock, person_id)
            uow.commit()
    # the address changed while the notice was open: nothing left to answer
    holding = exists().where(
        RegistrationRow.person_id == NoticeRow.person_id,
        RegistrationRow.id == NoticeRow.registration_id,
        RegistrationRow.status == S.confirmation_requested.value,
    )
    with uow_factory() as uow:
        closed = uow.session.execute(
            update(NoticeRow)
            .where(NoticeRow.status == NoticeStatus.open.value, ~holding)
            .values(
                status=NoticeStatus.resolved.value,
                resolved_at=clock.now(),
                resolution="registration_closed",
            )
            .execution_options(synchronize_session=False)
        )
        report.closed += rowcount(closed)
        uow.commit()


# --- 2. deadlines -------------------------------------------------------------------------------


def _deadline_pass(
    uow_factory: UnitOfWorkFactory, clock: Clock, day: date, policy: Policy, report: SweepReport
) -> None:
    after: tuple[str, str] = ("", "")
    while True:
        with uow_factory() as uow:
            rows = uow.session.execute(
                select(NoticeRow.person_id, NoticeRow.id, NoticeRow.deadline, NoticeRow.created_at)
                .join(
                    RegistrationRow,
                    and_(
                        RegistrationRow.person_id == NoticeRow.person_id,
                        RegistrationRow.id == NoticeRow.registration_id,
                    ),
                )
                .where(
                    NoticeRow.status == NoticeStatus.open.value,
                    NoticeRow.deadline < day,
                    RegistrationRow.status == S.confirmation_requested.value,
                    or_(
                        NoticeRow.person_id > after[0],
                        and_(NoticeRow.person_id == after[0], NoticeRow.id > after[1]),
                    ),
                )
                .order_by(NoticeRow.person_id, NoticeRow.id)
                .limit(NOTICE_CHUNK)
            ).all()
            if not rows:
                return
            after = (rows[-1].person_id, rows[-1].id)
            now = clock.now()
            cases = [
                {
                    "person_id": row.person_id,
                    "id": str(uuid.uuid4()),
                    "notice_id": row.id,
                    "notice_deadline": row.deadline,
                    "status": CaseStatus.open.value,
                    "opened_at": now,
                    "updated_at": now,
                    "policy_version": policy.version,
                }
                for row in rows
            ]
            opened = insert_new_rows(uow, _table(CaseRow), cases, ("person_id", "id", "notice_id"))
            for start in range(0, len(rows), 500):
                part = rows[start : start + 500]
                uow.session.execute(
                    update(NoticeRow)
                    .where(
                        NoticeRow.status == NoticeStatus.open.value,
                        tuple_(NoticeRow.person_id, NoticeRow.id).in_(
                            [(r.person_id, r.id) for r in part]
                        ),
                    )
                    .values(status=NoticeStatus.expired.value, expired_at=now)
                    .execution_options(synchronize_session=False)
                )
            by_notice = {(r.person_id, r.id): r for r in rows}
            messages = []
            for person_id, case_id, notice_id in opened:
                notice = by_notice[(person_id, notice_id)]
                messages.append(
                    PersonMessage(
                        person_id,
                        MessageKind.case_opened,
                        {
                            "deadline": notice.deadline.isoformat(),
                            "notice_date": moscow_date(notice.created_at).isoformat(),
                        },
                        case_id,
                    )
                )
            tell_many(uow, clock, messages)
            report.cases += len(opened)
            uow.commit()


# --- 3. issue -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    person_id: str
    registration_id: str
    region: str
    active_since: datetime
    citizenship: str
    date_of_birth: date
    purpose: str | None
    intended_stay_days: int | None
    category: str
    device_time: datetime | None
    report_region: str | None
    permission: bool | None
    services: bool | None
    battery_saver: bool | None


_CANDIDATE_COLUMNS = (
    RegistrationRow.person_id,
    RegistrationRow.id,
    RegistrationRow.region,
    RegistrationRow.updated_at,
    CardRow.citizenship,
    CardRow.date_of_birth,
    CardRow.purpose,
    CardRow.intended_stay_days,
    CardRow.category,
    PersonLastReportRow.device_time,
    PersonLastReportRow.region,
    PersonLastReportRow.location_permission,
    PersonLastReportRow.location_services,
    PersonLastReportRow.battery_saver,
)


def _rows(rows: Sequence[Any]) -> list[_Candidate]:
    columns: list[list[Any]] = [list(row) for row in rows]
    return [_Candidate(*values) for values in columns]


def _reporting_candidates(
    uow: UnitOfWork,
    after: str,
    size: int,
    silent_before: datetime,
    window_start: datetime,
    rules: ComplianceRules,
) -> list[_Candidate]:
    """People who have reported, and whose latest report is old enough for a reminder or a
    notice, or lies outside the region (or far from the address) within the window: one row
    per person in ``person_last_report``, filtered first, then joined."""
    r, last = RegistrationRow, PersonLastReportRow
    conditions = [
        and_(last.device_time < silent_before, r.updated_at < silent_before),
        and_(last.device_time >= window_start, last.region.is_(None)),
    ]
    if rules.proximity_check_enabled:
        conditions.append(
            and_(
                last.device_time >= window_start,
                last.flags.op("&")(FAR_FROM_ADDRESS_BIT) != 0,
            )
        )
    rows = uow.session.execute(
        select(*_CANDIDATE_COLUMNS)
        .select_from(last)
        .join(r, and_(r.person_id == last.person_id, r.status == S.active.value))
        .join(PersonRow, PersonRow.id == last.person_id)
        .join(CardRow, CardRow.card_number == PersonRow.card_number)
        .where(last.person_id > after, last.device_time.is_not(None), or_(*conditions))
        .order_by(last.person_id)
        .limit(size)
    ).all()
    return _rows(rows)


def _silent_since_registration(
    uow: UnitOfWork, after: str, size: int, silent_before: datetime
) -> list[_Candidate]:
    """People whose phone has never sent a location, registered long enough ago."""
    r, last = RegistrationRow, PersonLastReportRow
    rows = uow.session.execute(
        select(*_CANDIDATE_COLUMNS)
        .select_from(r)
        .join(PersonRow, PersonRow.id == r.person_id)
        .join(CardRow, CardRow.card_number == PersonRow.card_number)
        .outerjoin(last, last.person_id == r.person_id)
        .where(
            r.status == S.active.value,
            r.person_id > after,
            r.updated_at < silent_before,
            last.device_time.is_(None),
        )
        .order_by(r.person_id)
        .limit(size)
    ).all()
    return _rows(rows)


def _days_away(
    uow: UnitOfWork, person_ids: Sequence[str], day: date, window: int
) -> tuple[dict[str, int], dict[str, int]]:
    """Per person, of the ``window`` days before ``day``: days with reports and none inside the
    region; days with reports and none near the address."""
    if not person_ids or window <= 0:
        return {}, {}
    s = DailySummaryRow
    outside = func.sum(case((s.inside_region == 0, 1), else_=0))
    far = func.sum(case((s.near_address == 0, 1), else_=0))
    found_outside: dict[str, int] = {}
    found_far: dict[str, int] = {}
    ids = list(person_ids)
    for start in range(0, len(ids), 1000):
        rows = uow.session.execute(
            select(s.person_id, outside, far)
            .where(
                s.person_id.in_(ids[start : start + 1000]),
                s.day >= day - timedelta(days=window),
                s.day < day,
                s.reports > 0,
            )
            .group_by(s.person_id)
        ).all()
        for person_id, out, away in rows:
            found_outside[person_id] = int(out or 0)
            found_far[person_id] = int(away or 0)
    return found_outside, found_far


def _required(candidate: _Candidate, day: date, policy: Policy) -> bool:
    facts = EligibilityFacts(
        citizenship=candidate.citizenship,
        date_of_birth=candidate.date_of_birth,
        purpose=Purpose(candidate.purpose) if candidate.purpose else Purpose.other,
        region=candidate.region,
        intended_stay_days=candidate.intended_stay_days,
        category=Category(candidate.category or "none"),
    )
    return evaluate(facts, day, policy).status is EligibilityStatus.required


def _facts(candidate: _Candidate, required: bool, outside: int, far: int) -> PersonFacts:
    return PersonFacts(
        person_id=candidate.person_id,
        required=required,
        registration_id=candidate.registration_id,
        registration_status=S.active,
        active_since=moscow_date(candidate.active_since),
        last_report_day=None
        if candidate.device_time is None
        else moscow_date(candidate.device_time),
        days_outside_region=outside,
        days_away_from_address=far,
        device_status=DeviceStatus(
            candidate.permission, candidate.services, candidate.battery_saver
        ),
    )


def _issue_chunk(
    uow: UnitOfWork,
    clock: Clock,
    day: date,
    calendar: WorkingCalendar,
    policy: Policy,
    rules: ComplianceRules,
    candidates: list[_Candidate],
    report: SweepReport,
) -> None:
    outside, far = _days_away(
        uow,
        [
            c.person_id
            for c in candidates
            if c.report_region is None or rules.proximity_check_enabled
        ],
        day,
        rules.out_of_region_days,
    )
    now = clock.now()
    notices: list[dict[str, Any]] = []
    reminders: list[dict[str, Any]] = []
    decided: dict[str, NoticeToIssue | ReminderToIssue] = {}
    for candidate in candidates:
        facts = _facts(
            candidate,
            _required(candidate, day, policy),
            outside.get(candidate.person_id, 0),
            far.get(candidate.person_id, 0),
        )
        outcome = assess(facts, day, calendar, rules)
        if outcome is None:
            continue
        row_id = str(uuid.uuid4())
        decided[row_id] = outcome
        if isinstance(outcome, NoticeToIssue):
            notices.append(
                {
                    "person_id": candidate.person_id,
                    "id": row_id,
                    "registration_id": candidate.registration_id,
                    "kind": outcome.kind.value,
                    "status": NoticeStatus.open.value,
                    "episode_start": outcome.episode_start,
                    "covered_from": outcome.covered_from,
                    "deadline": outcome.deadline,
                    "policy_version": outcome.policy_version,
                    "facts": dict(outcome.facts),
                    "created_at": now,
                }
            )
        else:
            reminders.append(
                {
                    "person_id": candidate.person_id,
                    "id": row_id,
                    "registration_id": candidate.registration_id,
                    "episode_start": outcome.episode_start,
                    "signal": outcome.signal.value,
                    "silent_working_days": outcome.silent_working_days,
                    "policy_version": outcome.policy_version,
                    "created_at": now,
                }
            )
    messages: list[PersonMessage] = []
    if notices:
        issued = insert_new_rows(
            uow, _table(NoticeRow), notices, ("person_id", "id", "registration_id")
        )
        _request_confirmation(uow, now, [(p, r, n) for p, n, r in issued], decided)
        for person_id, notice_id, _registration_id in issued:
            notice = decided[notice_id]
            assert isinstance(notice, NoticeToIssue)
            report.notices_by_kind[notice.kind.value] = (
                report.notices_by_kind.get(notice.kind.value, 0) + 1
            )
            messages.append(
                PersonMessage(
                    person_id,
                    MessageKind.notice,
                    {
                        "notice_kind": notice.kind.value,
                        "since": notice.episode_start.isoformat(),
                        "deadline": notice.deadline.isoformat(),
                    },
                    notice_id,
                )
            )
        report.notices += len(issued)
    if reminders:
        issued_reminders = insert_new_rows(uow, _table(ReminderRow), reminders, ("person_id", "id"))
        for person_id, reminder_id in issued_reminders:
            reminder = decided[reminder_id]
            assert isinstance(reminder, ReminderToIssue)
            messages.append(
                PersonMessage(
                    person_id,
                    MessageKind.reminder,
                    {"since": reminder.episode_start.isoformat(), "signal": reminder.signal.value},
                    reminder_id,
                )
            )
        report.reminders += len(issued_reminders)
    tell_many(uow, clock, messages)


def _request_confirmation(
    uow: UnitOfWork,
    now: datetime,
    issued: list[tuple[str, str, str]],
    decided: dict[str, NoticeToIssue | ReminderToIssue],
) -> None:
    """Move the noticed registrations to ``confirmation_requested``, with their events (bulk:
    the same rows and event as ``services.registrations.request_confirmation`` writes)."""
    if not issued:
        return
    kind = transition(S.active, S.confirmation_requested)
    by_person = {person_id: registration_id for person_id, registration_id, _ in issued}
    person_ids = list(by_person)
    moved: set[tuple[str, str]] = set()
    for start in range(0, len(person_ids), 1000):
        part = person_ids[start : start + 1000]
        moved.update(
            (row.person_id, row.id)
            for row in uow.session.execute(
                update(RegistrationRow)
                .where(
                    tuple_(RegistrationRow.person_id, RegistrationRow.id).in_(
                        [(p, by_person[p]) for p in part]
                    ),
                    RegistrationRow.status == S.active.value,
                )
                .values(status=S.confirmation_requested.value, updated_at=now)
                .returning(RegistrationRow.person_id, RegistrationRow.id)
                .execution_options(synchronize_session=False)
            )
        )
    seqs: dict[str, int] = {}
    for start in range(0, len(person_ids), 1000):
        part = person_ids[start : start + 1000]
        for person_id, registration_id, seq in uow.session.execute(
            select(
                RegistrationEventRow.person_id,
                RegistrationEventRow.registration_id,
                func.max(RegistrationEventRow.seq),
            )
            .where(RegistrationEventRow.person_id.in_(part))
            .group_by(RegistrationEventRow.person_id, RegistrationEventRow.registration_id)
        ):
            if by_person.get(person_id) == registration_id:
                seqs[person_id] = int(seq or 0)
    events = []
    for person_id, registration_id, notice_id in issued:
        if (person_id, registration_id) not in moved:
            continue
        notice = decided[notice_id]
        assert isinstance(notice, NoticeToIssue)
        events.append(
            {
                "person_id": person_id,
                "id": str(uuid.uuid4()),
                "registration_id": registration_id,
                "kind": kind.value,
                "from_status": S.active.value,
                "to_status": S.confirmation_requested.value,
                "actor_kind": "system",
                "actor_id": None,
                "actor_role": "system",
                "reason": f"notice {notice.kind.value}",
                "at": now,
                "seq": seqs.get(person_id, 0) + 1,
            }
        )
    insert_rows(uow, _table(RegistrationEventRow), events)


def _issue_pass(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    day: date,
    calendar: WorkingCalendar,
    policy: Policy,
    rules: ComplianceRules,
    chunk_size: int,
    report: SweepReport,
    progress: Progress | None,
) -> None:
    earliest_cutoff = silence_cutoff(day, calendar, rules.reminder_after_working_days)
    silent_before = moscow_midnight(earliest_cutoff + timedelta(days=1))
    window_start = moscow_midnight(day - timedelta(days=rules.out_of_region_days))

    def reporting(uow: UnitOfWork, after: str) -> list[_Candidate]:
        return _reporting_candidates(uow, after, chunk_size, silent_before, window_start, rules)

    def never_reported(uow: UnitOfWork, after: str) -> list[_Candidate]:
        return _silent_since_registration(uow, after, chunk_size, silent_before)

    for source in (reporting, never_reported):
        after = ""
        while True:
            with uow_factory() as uow:
                candidates = source(uow, after)
                if not candidates:
                    break
                _issue_chunk(uow, clock, day, calendar, policy, rules, candidates, report)
                uow.commit()
            after = candidates[-1].person_id
            report.chunks += 1
            report.candidates += len(candidates)
            if progress is not None:
                progress(len(candidates))
            if len(candidates) < chunk_size:
                break


def sweep(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    day: date,
    *,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Progress | None = None,
) -> SweepReport:
    """Run the day's sweep (the scheduler on working days; ``amina sweep --on DATE`` by hand).

    Idempotent: a second run for the same day issues nothing new. On a day that is not a
    working day nothing is issued. ``progress`` is called with the number of people examined in
    each chunk.
    """
    with uow_factory() as uow:
        calendar = working_calendar(uow)
        policy = policy_book(uow).in_force_on(day)
    report = SweepReport(day=day, working_day=calendar.is_working_day(day))
    if not report.working_day:
        return report
    rules = ComplianceRules.from_policy(policy)
    report.policy_version = policy.version
    _resolve_pass(uow_factory, clock, report)
    _deadline_pass(uow_factory, clock, day, policy, report)
    _issue_pass(uow_factory, clock, day, calendar, policy, rules, chunk_size, report, progress)
    with uow_factory() as uow:
        record_access(
            uow,
            clock,
            SYSTEM,
            action="compliance.sweep",
            purpose=f"daily compliance sweep for {day.isoformat()}",
            details={
                "day": day.isoformat(),
                "policy_version": policy.version,
                "reminders": report.reminders,
                "notices": report.notices,
                "cases": report.cases,
                "resolved": report.resolved,
                "closed": report.closed,
            },
        )
        uow.commit()
    return report
