"""The compliance sweep's hand-written SQL, and the SQL mirrors of the compliance rules.

The sweep (:mod:`amina.services.compliance.sweep`) keeps the orchestration; every statement it
runs is here, as the report ingest's are in :mod:`amina.adapters.db.reports.store`. Everything
runs inside the caller's unit of work.

SQL mirrors
    Where a rule of :mod:`amina.domain.compliance` must be evaluated by the database (so that
    the sweep reads only the rows it acts on), its SQL mirror is here, named after the rule and
    built from the same constants. ``tests/integration/test_compliance_rule_mirrors.py`` runs
    the rule and its mirror on the same generated cases, on SQLite and PostgreSQL, and finds
    them equal:

    ==========================  =============================================
    domain rule                 SQL mirror (this module)
    ==========================  =============================================
    ``unresolved``              :func:`unresolved` (and :func:`unresolved_sql`)
    ``covers``                  :func:`covers`
    ``covered_by_reports``      :func:`covered_by_reports`
    ``deadline_missed``         :func:`deadline_missed`
    ==========================  =============================================
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    String,
    Table,
    and_,
    case,
    exists,
    false,
    func,
    literal_column,
    or_,
    select,
    text,
    tuple_,
    update,
)

from amina.adapters.db.bulk import insert_new_rows
from amina.adapters.db.compliance.tables import (
    CaseRow,
    NoticeRow,
    ReminderRow,
    SweepProgressRow,
)
from amina.adapters.db.identity.tables import CardRow, PersonRow
from amina.adapters.db.registration.tables import RegistrationRow
from amina.adapters.db.reports.tables import DailySummaryRow, PersonLastReportRow
from amina.adapters.db.uow import UnitOfWork
from amina.domain.calendar import WorkingCalendar
from amina.domain.compliance import (
    UNRESOLVED,
    NoticeKind,
    NoticeStatus,
    NoticeToIssue,
    ReminderToIssue,
)
from amina.domain.decisions import CaseStatus
from amina.domain.registration import RegistrationStatus
from amina.domain.reports import FLAG_ORDER, Flag

S = RegistrationStatus
FAR_FROM_ADDRESS_BIT = 1 << FLAG_ORDER.index(Flag.far_from_address)
#: Rows per ``IN (…)`` list.
IN_LIST = 1000


def _table(row_class: Any) -> Table:
    table: Table = row_class.__table__
    return table


NOTICES = _table(NoticeRow)
SUMMARIES = _table(DailySummaryRow)


# --- SQL mirrors of the domain rules ------------------------------------------------------------


def unresolved(status: ColumnElement[Any]) -> ColumnElement[bool]:
    """SQL mirror of :func:`amina.domain.compliance.unresolved`: the notice's ``status`` is
    ``open`` or ``expired``."""
    return status.in_(sorted(s.value for s in UNRESOLVED))


def unresolved_sql(column: str) -> str:
    """:func:`unresolved` as SQL text, for statements written for the driver itself (the report
    hot path): ``unresolved_sql("n.status")`` is ``n.status IN ('expired', 'open')``."""
    expression = unresolved(literal_column(column, String()))
    return str(expression.compile(compile_kwargs={"literal_binds": True}))


def covers(
    kind: ColumnElement[Any],
    covered_from: ColumnElement[Any],
    deadline: ColumnElement[Any],
    *,
    report_day: ColumnElement[Any],
    inside_region: ColumnElement[bool],
    near_address: ColumnElement[bool],
) -> ColumnElement[bool]:
    """SQL mirror of :func:`amina.domain.compliance.covers`: a report day from ``covered_from``
    up to the deadline; for an out-of-region notice a day inside the region, for the proximity
    rule a day near the address."""
    return and_(
        covered_from <= report_day,
        report_day <= deadline,
        or_(
            and_(kind == NoticeKind.out_of_region.value, inside_region),
            and_(kind == NoticeKind.away_from_address.value, near_address),
            kind.not_in([NoticeKind.out_of_region.value, NoticeKind.away_from_address.value]),
        ),
    )


def covered_by_reports(
    notices: FromClause = NOTICES, summaries: FromClause = SUMMARIES
) -> ColumnElement[bool]:
    """SQL mirror of :func:`amina.domain.compliance.covered_by_reports`: one of the person's
    daily summaries with reports :func:`covers` the notice.

    ``notices`` and ``summaries`` default to the tables; anything with the same columns will do
    (the test passes generated rows)."""
    n, s = notices.c, summaries.c
    return exists().where(
        s.person_id == n.person_id,
        s.reports > 0,
        covers(
            n.kind,
            n.covered_from,
            n.deadline,
            report_day=s.day,
            inside_region=s.inside_region > 0,
            near_address=s.near_address > 0,
        ),
    )


def deadline_missed(
    deadline: ColumnElement[Any], today: date, calendar: WorkingCalendar
) -> ColumnElement[bool]:
    """SQL mirror of :func:`amina.domain.compliance.deadline_missed`: on a working day, a
    deadline before today (the calendar is asked once, in Python; the dates are compared in
    SQL)."""
    if not calendar.is_working_day(today):
        return false()
    return deadline < today


# --- 1. resolve ---------------------------------------------------------------------------------


def people_with_covered_notices(uow: UnitOfWork) -> list[str]:
    """Who has an unresolved notice that their daily summaries now cover."""
    n = NOTICES.c
    return list(
        uow.session.scalars(
            select(n.person_id).where(unresolved(n.status), covered_by_reports()).distinct()
        )
    )


def covered_notices(uow: UnitOfWork, person_id: str) -> list[NoticeRow]:
    """The person's unresolved notices that their daily summaries cover, locked for update."""
    return list(
        uow.session.scalars(
            select(NoticeRow)
            .where(
                NoticeRow.person_id == person_id,
                unresolved(NOTICES.c.status),
                covered_by_reports(),
            )
            .with_for_update()
        )
    )


def close_notices_of_released_registrations(uow: UnitOfWork, now: datetime) -> int:
    """Open notices whose registration no longer awaits confirmation (the address changed):
    nothing is left to answer, so they are resolved. Returns how many."""
    holding = exists().where(
        RegistrationRow.person_id == NoticeRow.person_id,
        RegistrationRow.id == NoticeRow.registration_id,
        RegistrationRow.status == S.confirmation_requested.value,
    )
    closed = uow.session.execute(
        update(NoticeRow)
        .where(NoticeRow.status == NoticeStatus.open.value, ~holding)
        .values(
            status=NoticeStatus.resolved.value,
            resolved_at=now,
            resolution="registration_closed",
        )
        .execution_options(synchronize_session=False)
    )
    return int(closed.rowcount)  # type: ignore[attr-defined]


# --- 2. deadlines -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MissedDeadline:
    person_id: str
    notice_id: str
    deadline: date
    created_at: datetime


@dataclass(frozen=True)
class OpenedCase:
    person_id: str
    case_id: str
    notice_id: str


def missed_deadlines(
    uow: UnitOfWork,
    day: date,
    calendar: WorkingCalendar,
    after: tuple[str, str],
    limit: int,
) -> list[MissedDeadline]:
    """Open notices whose deadline is missed on ``day`` while the registration still awaits
    confirmation, after the ``(person_id, notice_id)`` key, in key order."""
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
            deadline_missed(NOTICES.c.deadline, day, calendar),
            RegistrationRow.status == S.confirmation_requested.value,
            or_(
                NoticeRow.person_id > after[0],
                and_(NoticeRow.person_id == after[0], NoticeRow.id > after[1]),
            ),
        )
        .order_by(NoticeRow.person_id, NoticeRow.id)
        .limit(limit)
    ).all()
    return [MissedDeadline(*row) for row in rows]


def open_cases(
    uow: UnitOfWork,
    missed: Sequence[MissedDeadline],
    case_ids: Sequence[str],
    now: datetime,
    policy_version: str,
) -> list[OpenedCase]:
    """A case for each missed deadline (unless one is open for that notice and deadline
    already); returns the cases that went in."""
    rows = [
        {
            "person_id": m.person_id,
            "id": case_id,
            "notice_id": m.notice_id,
            "notice_deadline": m.deadline,
            "status": CaseStatus.open.value,
            "opened_at": now,
            "updated_at": now,
            "policy_version": policy_version,
        }
        for m, case_id in zip(missed, case_ids, strict=True)
    ]
    opened = insert_new_rows(uow, _table(CaseRow), rows, ("person_id", "id", "notice_id"))
    return [OpenedCase(*row) for row in opened]


def expire_notices(uow: UnitOfWork, missed: Sequence[MissedDeadline], now: datetime) -> None:
    """The notices of these missed deadlines are ``expired`` (if still open)."""
    for start in range(0, len(missed), 500):
        part = missed[start : start + 500]
        uow.session.execute(
            update(NoticeRow)
            .where(
                NoticeRow.status == NoticeStatus.open.value,
                tuple_(NoticeRow.person_id, NoticeRow.id).in_(
                    [(m.person_id, m.notice_id) for m in part]
                ),
            )
            .values(status=NoticeStatus.expired.value, expired_at=now)
            .execution_options(synchronize_session=False)
        )


# --- 3. issue -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """One person the issue pass looks at: the active registration, the card's eligibility
    facts, the latest report and device status (None where the phone never sent one), and
    where a message to them goes (language, phone on file)."""

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
    #: the registration has the building's coordinates
    located: bool
    language: str
    phone: str


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
    RegistrationRow.lat.is_not(None),
    PersonRow.language,
    CardRow.phone,
)


def _may_be_due(
    silent_before: datetime, window_start: datetime, proximity_check: bool
) -> ColumnElement[bool]:
    """Whether an active registration (joined with its person's ``person_last_report``, if
    any) may owe something today: silent since before ``silent_before`` (no report, or the
    latest one, and the registration's last change both older), or a latest report in the
    window that lay outside the region (or far from the address, with the proximity rule).
    A superset of those the rules act on: ``assess`` decides."""
    r, last = RegistrationRow, PersonLastReportRow
    conditions = [
        and_(
            r.updated_at < silent_before,
            or_(last.device_time.is_(None), last.device_time < silent_before),
        ),
        and_(last.device_time >= window_start, last.region.is_(None)),
    ]
    if proximity_check:
        conditions.append(
            and_(
                last.device_time >= window_start,
                last.flags.op("&")(FAR_FROM_ADDRESS_BIT) != 0,
            )
        )
    return or_(*conditions)


def issue_candidates(
    uow: UnitOfWork,
    after: str,
    size: int,
    silent_before: datetime,
    window_start: datetime,
    proximity_check: bool,
) -> Iterator[list[Candidate]]:
    """The people whose active registration :func:`_may_be_due`, after ``after``, in
    ``person_id`` order, ``size`` at a time, with their facts: one statement for the whole run
    (hash joins over registrations, ``person_last_report``, persons and cards — each table read
    once, never a lookup per person; raw reports are never read).

    PostgreSQL streams the rows through a server-side cursor: the caller keeps ``uow`` open
    (its snapshot) while it writes each batch in units of work of its own. SQLite reads them
    all first and ends this read transaction — there every transaction takes the write lock
    (``BEGIN IMMEDIATE``), and the batches' transactions must be able to write."""
    r, last = RegistrationRow, PersonLastReportRow
    statement = (
        select(*_CANDIDATE_COLUMNS)
        .select_from(r)
        .join(PersonRow, PersonRow.id == r.person_id)
        .join(CardRow, CardRow.card_number == PersonRow.card_number)
        .outerjoin(last, last.person_id == r.person_id)
        .where(
            r.status == S.active.value,
            r.person_id > after,
            _may_be_due(silent_before, window_start, proximity_check),
        )
        .order_by(r.person_id)
    )
    if uow.dialect != "postgresql":
        rows: Sequence[Any] = uow.session.execute(statement).all()
        uow.session.rollback()
        for start in range(0, len(rows), size):
            yield [Candidate(*row) for row in rows[start : start + size]]
        return
    # A cursor is planned for its first rows by default (cursor_tuple_fraction 0.1): here
    # that is a merge join walking both tables' primary keys, a random read per person (65 s
    # at 2 million people, against 6 s for the hash joins). All rows are wanted, so plan for
    # all of them; and compile nothing just-in-time for a statement that runs once a day.
    uow.session.execute(text("SET LOCAL cursor_tuple_fraction = 1"))
    uow.session.execute(text("SET LOCAL jit = off"))
    result = uow.session.execute(statement, execution_options={"yield_per": size})
    for part in result.partitions():
        chunk: Sequence[Any] = part
        yield [Candidate(*row) for row in chunk]


@dataclass(frozen=True)
class IssueProgress:
    """How far the issue pass got for a day under a policy version."""

    after_person_id: str
    chunks: int
    finished: bool


def issue_progress(uow: UnitOfWork, day: date, policy_version: str) -> IssueProgress | None:
    row = uow.session.get(SweepProgressRow, (day, policy_version))
    if row is None:
        return None
    return IssueProgress(row.after_person_id, row.chunks, row.finished_at is not None)


def record_issue_progress(
    uow: UnitOfWork,
    day: date,
    policy_version: str,
    after_person_id: str,
    now: datetime,
    *,
    finished: bool = False,
) -> None:
    """The issue pass finished everyone up to ``after_person_id`` (in the transaction that
    wrote their notices and reminders), or the whole day (``finished``)."""
    row = uow.session.get(SweepProgressRow, (day, policy_version), with_for_update=True)
    if row is None:
        row = SweepProgressRow(
            day=day, policy_version=policy_version, after_person_id="", chunks=0, updated_at=now
        )
        uow.session.add(row)
    if not finished:
        row.after_person_id = after_person_id
        row.chunks += 1
    row.updated_at = now
    row.finished_at = now if finished else None
    uow.session.flush()


def days_away(
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
    for start in range(0, len(ids), IN_LIST):
        rows = uow.session.execute(
            select(s.person_id, outside, far)
            .where(
                s.person_id.in_(ids[start : start + IN_LIST]),
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


@dataclass(frozen=True)
class Issued:
    """A notice or reminder to store: whose, about which registration, under which id."""

    person_id: str
    registration_id: str
    id: str


def add_notices(
    uow: UnitOfWork, now: datetime, notices: Sequence[tuple[Issued, NoticeToIssue]]
) -> list[Issued]:
    """Store the notices (``open``) unless one is stored for the same registration, kind and
    episode; returns those that went in."""
    rows = [
        {
            "person_id": to.person_id,
            "id": to.id,
            "registration_id": to.registration_id,
            "kind": notice.kind.value,
            "status": NoticeStatus.open.value,
            "episode_start": notice.episode_start,
            "covered_from": notice.covered_from,
            "deadline": notice.deadline,
            "policy_version": notice.policy_version,
            "facts": dict(notice.facts),
            "created_at": now,
        }
        for to, notice in notices
    ]
    issued = insert_new_rows(uow, NOTICES, rows, ("person_id", "registration_id", "id"))
    return [Issued(*row) for row in issued]


def add_reminders(
    uow: UnitOfWork, now: datetime, reminders: Sequence[tuple[Issued, ReminderToIssue]]
) -> list[Issued]:
    """Store the reminders unless one is stored for the same registration and episode;
    returns those that went in."""
    rows = [
        {
            "person_id": to.person_id,
            "id": to.id,
            "registration_id": to.registration_id,
            "episode_start": reminder.episode_start,
            "signal": reminder.signal.value,
            "silent_working_days": reminder.silent_working_days,
            "policy_version": reminder.policy_version,
            "created_at": now,
        }
        for to, reminder in reminders
    ]
    issued = insert_new_rows(uow, _table(ReminderRow), rows, ("person_id", "registration_id", "id"))
    return [Issued(*row) for row in issued]
