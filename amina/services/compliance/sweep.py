"""The daily compliance sweep (SPEC §7): reminders, notices, cases — set-based, in chunks.

One run for one Moscow working day, in three passes; every pass is idempotent (running the
sweep twice for a day issues nothing twice), because what it writes is keyed by unique
constraints and inserted with ``ON CONFLICT DO NOTHING``, and only rows that went in are
announced to the person:

1. **Resolve** — open notices (and expired ones whose case waits for an inspector) that the
   person's daily summaries now cover are resolved (:func:`resolve_notices_covered_by`);
   open notices whose registration no longer holds the place (the address changed) are closed.
2. **Deadlines** — open notices whose deadline is missed
   (:func:`amina.domain.compliance.deadline_missed`) while the registration still awaits
   confirmation are ``expired`` and a **case** is opened for each (never a sanction).
3. **Issue** — one statement finds the people whose active registration may owe something
   today (silent since before the earliest cut-off, or reporting from outside the region in
   the window) with their facts — registrations, ``person_last_report`` (one row per person,
   kept current at ingest; raw reports are never read), persons and cards, each read once with
   hash joins — and streams them in ``person_id`` order, ``chunk_size`` at a time. The cut-off
   days for "more than N working days" are computed once per run from the calendar, so the
   silence filter is a date comparison in SQL. Eligibility and
   :func:`amina.domain.compliance.assess` decide in Python, once per distinct situation (people
   in the same situation get the same outcome); notices and reminders are bulk inserted, the
   registrations move to ``confirmation_requested`` with their events, and the inbox and
   outbox rows are written — all of a chunk in one transaction, with the pass's progress
   (``sweep_progress``: the last person done). On PostgreSQL a chunk is written on a thread of
   its own while the next one is read and decided (one chunk in flight; chunks commit in
   order), so the database writes while Python decides. A finished day is not examined again
   under the same policy version (a re-run only resolves and opens cases; ``again=True`` looks at
   everyone once more); a run that stopped half-way resumes after the last person it finished.

Each phase's wall and CPU time is in :attr:`SweepReport.phases` and in the ``sweep.done`` log
line (durations and counts, never who), printed by ``amina sweep`` (``--json`` for scripts).

This module keeps the orchestration; its SQL is in :mod:`amina.adapters.db.compliance.store`,
where the rules it evaluates in the database (unresolved, covered by reports, deadline missed)
are SQL mirrors of the domain rules, named after them.
"""

from __future__ import annotations

import time as monotonic_time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import structlog

from amina.adapters.db.compliance import store
from amina.adapters.db.compliance.store import Candidate, Issued
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.domain import purposes
from amina.domain.calendar import MOSCOW, WorkingCalendar, moscow_date
from amina.domain.compliance import (
    ComplianceRules,
    DeviceStatus,
    NoticeToIssue,
    Outcome,
    PersonFacts,
    ReminderToIssue,
    assess,
    silence_cutoff,
)
from amina.domain.eligibility import (
    Category,
    EligibilityFacts,
    EligibilityStatus,
    Purpose,
    evaluate,
)
from amina.domain.policy import Policy
from amina.domain.registration import RegistrationStatus
from amina.services.audit.trail import SYSTEM, record_access
from amina.services.clock import Clock
from amina.services.compliance.messages import MessageKind
from amina.services.compliance.notices import resolve_notices_covered_by
from amina.services.delivery.inbox import PersonMessage, tell_many
from amina.services.policy.calendar import working_calendar
from amina.services.policy.versions import policy_book
from amina.services.registration.registrations import (
    ConfirmationRequest,
    EventActor,
    request_confirmations,
)

DEFAULT_CHUNK = 10_000
#: Resolution and deadline passes work through this many notices per transaction.
NOTICE_CHUNK = 1_000

S = RegistrationStatus

Progress = Callable[[int], None]
#: A monotonic timer in seconds (``time.perf_counter``): how long each phase took, for the
#: log and the benchmark — never a date, so it is not the product's ``Clock``.
Timer = Callable[[], float]

log = structlog.get_logger("amina.sweep")


@dataclass
class PhaseTiming:
    """How long one phase of a run took in all (its chunks added up), and how many rows it
    handled (people read, notices resolved, rows written…: counts only, never who)."""

    seconds: float = 0.0
    #: CPU time of the thread that ran the phase (the rest of ``seconds`` is waiting: for the
    #: database, or for a core on a busy machine)
    cpu_seconds: float = 0.0
    rows: int = 0


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
    #: The issue pass had finished for this day and policy version before this run.
    issue_pass_done_before: bool = False
    #: Phase name → its timing, in the order the phases first ran ("setup", "resolve",
    #: "deadlines", "issue: …", "audit"). On PostgreSQL "issue: write" runs beside reading
    #: and deciding the next chunk, so the phases add up to more than :attr:`seconds`.
    phases: dict[str, PhaseTiming] = field(default_factory=dict)
    #: The run's wall time from start to end.
    seconds: float = 0.0

    def summary(self) -> str:
        if not self.working_day:
            return f"{self.day}: not a working day; nothing issued"
        return (
            f"{self.day}: {self.reminders} reminder(s), {self.notices} notice(s), "
            f"{self.cases} case(s), {self.resolved} resolved, {self.closed} closed; "
            f"{self.candidates} person(s) examined in {self.chunks} chunk(s)"
        )


class _Phases:
    """Adds the time spent in each phase to ``report.phases`` (a phase may run once per chunk)."""

    def __init__(self, report: SweepReport, timer: Timer, cpu_timer: Timer) -> None:
        self.report = report
        self.timer = timer
        self.cpu_timer = cpu_timer

    @contextmanager
    def __call__(self, name: str) -> Iterator[PhaseTiming]:
        timing = self.report.phases.setdefault(name, PhaseTiming())
        started, cpu_started = self.timer(), self.cpu_timer()
        try:
            yield timing
        finally:
            timing.seconds += self.timer() - started
            timing.cpu_seconds += self.cpu_timer() - cpu_started


def moscow_midnight(day: date) -> datetime:
    """The instant a Moscow calendar day starts (aware)."""
    return datetime.combine(day, time(0), MOSCOW)


# --- 1. resolve ---------------------------------------------------------------------------------


def _resolve_pass(uow_factory: UnitOfWorkFactory, clock: Clock, report: SweepReport) -> None:
    with uow_factory() as uow:
        # only the people whose notices are covered are visited
        people = store.people_with_covered_notices(uow)
    for start in range(0, len(people), NOTICE_CHUNK):
        with uow_factory() as uow:
            for person_id in people[start : start + NOTICE_CHUNK]:
                report.resolved += resolve_notices_covered_by(uow, clock, person_id)
            uow.commit()
    # the address changed while the notice was open: nothing left to answer
    with uow_factory() as uow:
        report.closed += store.close_notices_of_released_registrations(uow, clock.now())
        uow.commit()


# --- 2. deadlines -------------------------------------------------------------------------------


def _deadline_pass(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    day: date,
    calendar: WorkingCalendar,
    policy: Policy,
    report: SweepReport,
) -> None:
    after: tuple[str, str] = ("", "")
    while True:
        with uow_factory() as uow:
            missed = store.missed_deadlines(uow, day, calendar, after, NOTICE_CHUNK)
            if not missed:
                return
            after = (missed[-1].person_id, missed[-1].notice_id)
            now = clock.now()
            opened = store.open_cases(
                uow, missed, [str(uuid.uuid4()) for _ in missed], now, policy.version
            )
            store.expire_notices(uow, missed, now)
            by_notice = {(m.person_id, m.notice_id): m for m in missed}
            messages = []
            for case in opened:
                notice = by_notice[(case.person_id, case.notice_id)]
                messages.append(
                    PersonMessage(
                        case.person_id,
                        MessageKind.case_opened,
                        {
                            "deadline": notice.deadline.isoformat(),
                            "notice_date": moscow_date(notice.created_at).isoformat(),
                        },
                        case.case_id,
                    )
                )
            tell_many(uow, clock, messages)
            report.cases += len(opened)
            uow.commit()


# --- 3. issue -----------------------------------------------------------------------------------


class _Rules:
    """Eligibility and :func:`assess` for one run, computed once per distinct situation.

    Both are pure functions of their inputs, and on a given day most people are in one of a
    few situations (the same last-report day, the same card facts…); people in the same
    situation get the same outcome, so each situation is decided once. The inputs are the
    whole fact records minus who the person is (``assess`` reads no ids), so nothing the
    rules look at can be left out of the key."""

    def __init__(
        self, day: date, calendar: WorkingCalendar, policy: Policy, rules: ComplianceRules
    ) -> None:
        self.day, self.calendar, self.policy, self.rules = day, calendar, policy, rules
        self._required: dict[EligibilityFacts, bool] = {}
        self._outcomes: dict[PersonFacts, Outcome] = {}

    def required(self, candidate: Candidate) -> bool:
        facts = EligibilityFacts(
            citizenship=candidate.citizenship,
            date_of_birth=candidate.date_of_birth,
            purpose=Purpose(candidate.purpose) if candidate.purpose else Purpose.other,
            region=candidate.region,
            intended_stay_days=candidate.intended_stay_days,
            category=Category(candidate.category or "none"),
        )
        known = self._required.get(facts)
        if known is None:
            known = evaluate(facts, self.day, self.policy).status is EligibilityStatus.required
            self._required[facts] = known
        return known

    def outcome(self, candidate: Candidate, outside: int, far: int) -> Outcome:
        situation = PersonFacts(
            person_id="",
            required=self.required(candidate),
            registration_id="",
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
            address_located=bool(candidate.located),
        )
        if situation not in self._outcomes:
            self._outcomes[situation] = assess(situation, self.day, self.calendar, self.rules)
        return self._outcomes[situation]


@dataclass
class _Decided:
    """One chunk's outcome, ready to be written: what to issue, to whom, and the last person
    examined (the pass's progress once the chunk is committed)."""

    notices: list[tuple[Issued, NoticeToIssue]]
    reminders: list[tuple[Issued, ReminderToIssue]]
    recipients: dict[str, tuple[str, str]]
    last_person_id: str


def _decide_chunk(
    uow_factory: UnitOfWorkFactory,
    day: date,
    decide: _Rules,
    candidates: list[Candidate],
    phase: _Phases,
) -> _Decided:
    rules = decide.rules
    with phase("issue: read days away"), uow_factory() as uow:
        outside, far = store.days_away(
            uow,
            [
                c.person_id
                for c in candidates
                if c.report_region is None or rules.proximity_check_enabled
            ],
            day,
            rules.out_of_region_days,
        )
    with phase("issue: decide") as decided:
        notices: list[tuple[Issued, NoticeToIssue]] = []
        reminders: list[tuple[Issued, ReminderToIssue]] = []
        for candidate in candidates:
            outcome = decide.outcome(
                candidate,
                outside.get(candidate.person_id, 0),
                far.get(candidate.person_id, 0),
            )
            if outcome is None:
                continue
            to = Issued(candidate.person_id, candidate.registration_id, str(uuid.uuid4()))
            if isinstance(outcome, NoticeToIssue):
                notices.append((to, outcome))
            else:
                reminders.append((to, outcome))
        decided.rows += len(candidates)
    recipients = {c.person_id: (c.language, c.phone) for c in candidates}
    return _Decided(notices, reminders, recipients, candidates[-1].person_id)


def _write_chunk(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    day: date,
    policy_version: str,
    chunk: _Decided,
    report: SweepReport,
    phase: _Phases,
) -> None:
    """Store one decided chunk and the pass's progress, in one transaction."""
    with phase("issue: write") as written, uow_factory() as uow:
        written.rows += _write(uow, clock, chunk.notices, chunk.reminders, chunk.recipients, report)
        store.record_issue_progress(uow, day, policy_version, chunk.last_person_id, clock.now())
        uow.commit()


def _write(
    uow: UnitOfWork,
    clock: Clock,
    notices: list[tuple[Issued, NoticeToIssue]],
    reminders: list[tuple[Issued, ReminderToIssue]],
    recipients: dict[str, tuple[str, str]],
    report: SweepReport,
) -> int:
    """Store what was decided and tell the people; returns how many notices and reminders
    went in (those already stored — a re-run — are neither counted nor announced)."""
    now = clock.now()
    messages: list[PersonMessage] = []
    if notices:
        decided_notices = {to.id: notice for to, notice in notices}
        issued = store.add_notices(uow, now, notices)
        request_confirmations(
            uow,
            clock,
            [
                ConfirmationRequest(
                    to.person_id,
                    to.registration_id,
                    f"notice {decided_notices[to.id].kind.value}",
                )
                for to in issued
            ],
            EventActor.system(),
        )
        for to in issued:
            notice = decided_notices[to.id]
            report.notices_by_kind[notice.kind.value] = (
                report.notices_by_kind.get(notice.kind.value, 0) + 1
            )
            messages.append(
                PersonMessage(
                    to.person_id,
                    MessageKind.notice,
                    {
                        "notice_kind": notice.kind.value,
                        "since": notice.episode_start.isoformat(),
                        "deadline": notice.deadline.isoformat(),
                    },
                    to.id,
                )
            )
        report.notices += len(issued)
    if reminders:
        decided_reminders = {to.id: reminder for to, reminder in reminders}
        issued_reminders = store.add_reminders(uow, now, reminders)
        for to in issued_reminders:
            reminder = decided_reminders[to.id]
            messages.append(
                PersonMessage(
                    to.person_id,
                    MessageKind.reminder,
                    {"since": reminder.episode_start.isoformat(), "signal": reminder.signal.value},
                    to.id,
                )
            )
        report.reminders += len(issued_reminders)
    tell_many(uow, clock, messages, recipients)
    return len(messages)


def _issue_pass(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    day: date,
    decide: _Rules,
    chunk_size: int,
    report: SweepReport,
    progress: Progress | None,
    phase: _Phases,
    *,
    again: bool,
) -> None:
    rules = decide.rules
    version = decide.policy.version
    with uow_factory() as uow:
        done = store.issue_progress(uow, day, version)
    if done is not None and done.finished and not again:
        report.issue_pass_done_before = True
        return
    after = "" if done is None or again else done.after_person_id
    earliest_cutoff = silence_cutoff(day, decide.calendar, rules.reminder_after_working_days)
    silent_before = moscow_midnight(earliest_cutoff + timedelta(days=1))
    window_start = moscow_midnight(day - timedelta(days=rules.out_of_region_days))
    proximity = rules.proximity_check_enabled
    with uow_factory() as reader:
        overlap = reader.dialect == "postgresql"
        batches = store.issue_candidates(
            reader, after, chunk_size, silent_before, window_start, proximity
        )
        # One chunk is written (on the writer thread, PostgreSQL) while the next is read and
        # decided; the writer commits chunks in order, and the progress callback follows
        # each commit. SQLite has one writer at a time and writes in line.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sweep-writer") as writer:
            in_flight: Future[None] | None = None
            in_flight_size = 0
            while True:
                with phase("issue: read candidates") as read:
                    candidates = next(batches, None)
                    read.rows += len(candidates or ())
                if not candidates:
                    break
                chunk = _decide_chunk(uow_factory, day, decide, candidates, phase)
                if in_flight is not None:
                    in_flight.result()  # the previous chunk is committed (or its error raised)
                    _done(report, progress, in_flight_size)
                    in_flight = None
                write = (uow_factory, clock, day, version, chunk, report, phase)
                if overlap:
                    in_flight, in_flight_size = writer.submit(_write_chunk, *write), len(candidates)
                else:
                    _write_chunk(*write)
                    _done(report, progress, len(candidates))
            if in_flight is not None:
                in_flight.result()
                _done(report, progress, in_flight_size)
    with uow_factory() as uow:
        store.record_issue_progress(uow, day, version, "", clock.now(), finished=True)
        uow.commit()


def _done(report: SweepReport, progress: Progress | None, examined: int) -> None:
    """A chunk is committed: count it and tell the progress bar."""
    report.chunks += 1
    report.candidates += examined
    if progress is not None:
        progress(examined)


def sweep(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    day: date,
    *,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Progress | None = None,
    timer: Timer = monotonic_time.perf_counter,
    cpu_timer: Timer = monotonic_time.thread_time,
    again: bool = False,
) -> SweepReport:
    """Run the day's sweep (the scheduler on working days; ``amina sweep --on DATE`` by hand).

    Idempotent: a second run for the same day issues nothing new. On a day that is not a
    working day nothing is issued. The issue pass remembers how far it got for the day and
    policy version: a re-run after it finished skips it (``report.issue_pass_done_before``),
    unless ``again`` asks to examine everyone once more (still issuing nothing twice); a run
    that stopped half-way resumes after the last person it finished. ``progress`` is called
    with the number of people examined in each chunk. The time spent in each phase is in
    ``report.phases`` and in the log line ``sweep.done`` (durations and counts only).
    """
    report = SweepReport(day=day, working_day=False)
    started = timer()
    phase = _Phases(report, timer, cpu_timer)
    with phase("setup"), uow_factory() as uow:
        calendar = working_calendar(uow)
        policy = policy_book(uow).in_force_on(day)
    report.working_day = calendar.is_working_day(day)
    if not report.working_day:
        return report
    rules = ComplianceRules.from_policy(policy)
    report.policy_version = policy.version
    with phase("resolve") as resolving:
        _resolve_pass(uow_factory, clock, report)
        resolving.rows = report.resolved + report.closed
    with phase("deadlines") as deadlines:
        _deadline_pass(uow_factory, clock, day, calendar, policy, report)
        deadlines.rows = report.cases
    _issue_pass(
        uow_factory,
        clock,
        day,
        _Rules(day, calendar, policy, rules),
        chunk_size,
        report,
        progress,
        phase,
        again=again,
    )
    with phase("audit"), uow_factory() as uow:
        record_access(
            uow,
            clock,
            SYSTEM,
            action="compliance.sweep",
            purpose=purposes.SWEEP,
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
    report.seconds = timer() - started
    log.info(
        "sweep.done",
        day=day.isoformat(),
        examined=report.candidates,
        reminders=report.reminders,
        notices=report.notices,
        cases=report.cases,
        resolved=report.resolved,
        closed=report.closed,
        seconds=round(report.seconds, 3),
        phases={
            name: [round(p.seconds, 3), round(p.cpu_seconds, 3), p.rows]
            for name, p in report.phases.items()
        },
    )
    return report
