"""When a person is reminded, sent a notice, or has a case opened (SPEC §7, §10).

Pure rules: given what is known about one person on one Moscow day, the working calendar and
the policy in force, decide what to issue. The numbers come from policy parameters; the sweep
(:mod:`amina.services.compliance.sweep`) gathers the facts set-based and stores what this
module decides.

Silence
    A person's *silence* starts on the later of the day of their latest accepted location report
    and the day their registration became active (registered, confirmed or restored) — a
    confirmation counts like a report. Call that day ``D``. On a day ``T`` the silence has lasted
    ``working_days_between(D, T)`` working days: the working days after ``D`` up to ``T``
    included (:meth:`~amina.domain.calendar.WorkingCalendar.working_days_between`).

No-data notice ("more than N working days old", N = ``no_data_working_days``, 3)
    The notice is issued on the first working day ``T`` with ``working_days_between(D, T) > N``.
    A person who reported on the last allowed day gets nothing that day.

    Worked example across the November 2025 holidays (Sat 1 Nov was a working day, Mon 3 and
    Tue 4 Nov were days off)::

        last report Wed 29 Oct → silent working days: Thu 30 (1), Fri 31 (2), Sat 1 Nov (3),
                                 Wed 5 Nov (4 > 3) → notice on Wed 5 Nov
        last report Thu 30 Oct → Fri 31 (1), Sat 1 (2), Wed 5 (3: the last allowed day was
                                 Thu 30 — nothing on Wed 5), Thu 6 (4 > 3) → notice on Thu 6 Nov

    The deadline printed on the notice is ``add_working_days(T, notice_deadline_working_days)``:
    a notice of Thu 6 Nov 2025 must be answered by Tue 11 Nov (Fri 7, Mon 10, Tue 11).

Reminder (early help, ``reminder_after_working_days``, 1)
    Before any notice, on the first working day with ``working_days_between(D, T) >`` that
    number, the person gets a friendly reminder that says what the phone reported last
    ("location permission is off"), so that a technical problem is fixed before it becomes a
    compliance matter. One reminder per silence episode (the store keys it by ``D``). With a
    last report on Thu 30 Oct 2025 the reminder comes on Sat 1 Nov.

Out of the region (``out_of_region_days``, 3)
    When on each of the last N calendar days before ``T`` the person's reports arrived and none
    was inside RU-MOW/RU-MOS, the same kind of notice is issued (kind ``out_of_region``). The
    days must all lie after the registration became active.

Away from the address (``proximity_check_enabled``, off by default)
    Only when the policy switches it on: reports on each of the last N calendar days and none
    near the registered address → a notice of kind ``away_from_address``. Never for a
    registration without the building's coordinates (they come later, with consent).

Deadlines
    A notice still unanswered after its deadline day opens a **case** for an inspector on the
    next working day — never a sanction by itself (:func:`deadline_missed`).

Covered by reports
    Reports dated from the notice's ``covered_from`` day up to its deadline resolve it by
    themselves (:func:`covers` for one day, :func:`covered_by_reports` for the person's days).

Unresolved
    A notice is unresolved while it is ``open`` or ``expired`` (:func:`unresolved`): reports
    may still resolve it, and it keeps the person from getting a second one.

The sweep evaluates some of these rules in SQL; each SQL mirror is named after the rule it
mirrors (:mod:`amina.adapters.db.compliance.store`) and a test finds both equal on generated
cases on SQLite and PostgreSQL.

Notices, reminders and cases are issued on working days only, to people who must use Amina on
that day (eligibility) and whose registration is ``active`` (a registration awaiting
confirmation already has its notice).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from amina.domain.calendar import WorkingCalendar
from amina.domain.policy import INITIAL_POLICY_DOCUMENT, Policy
from amina.domain.registration import RegistrationStatus


class NoticeKind(StrEnum):
    no_data = "no_data"
    out_of_region = "out_of_region"
    away_from_address = "away_from_address"


class NoticeStatus(StrEnum):
    open = "open"  # waiting for the person's answer
    answered = "answered"  # the person confirmed or changed the address
    resolved = "resolved"  # late reports covered the gap, or an inspector dismissed it
    expired = "expired"  # the deadline passed unanswered: a case is open


#: The states in which a notice still waits: for the person's answer (``open``), or for an
#: inspector (``expired``: its case is open). Late reports may resolve either.
UNRESOLVED: frozenset[NoticeStatus] = frozenset({NoticeStatus.open, NoticeStatus.expired})


def unresolved(status: NoticeStatus) -> bool:
    """Whether a notice in this state is still unresolved (see :data:`UNRESOLVED`)."""
    return status in UNRESOLVED


class PhoneSignal(StrEnum):
    """What the phone reported last, in the order a reminder names it."""

    permission_off = "permission_off"
    location_services_off = "location_services_off"
    battery_saver = "battery_saver"
    no_contact = "no_contact"


@dataclass(frozen=True)
class DeviceStatus:
    """The latest device status the phone sent (None where it did not say)."""

    permission_granted: bool | None = None
    location_services_on: bool | None = None
    battery_saver: bool | None = None


def phone_signal(status: DeviceStatus | None) -> PhoneSignal:
    """The one thing a reminder says about the phone: the first problem it reported, else that
    it has not been in touch."""
    if status is None:
        return PhoneSignal.no_contact
    if status.permission_granted is False:
        return PhoneSignal.permission_off
    if status.location_services_on is False:
        return PhoneSignal.location_services_off
    if status.battery_saver:
        return PhoneSignal.battery_saver
    return PhoneSignal.no_contact


def _parameter(policy: Policy, name: str) -> Any:
    # A parameter added after a stored policy version was written falls back to the initial
    # policy document, which is where every parameter is first defined.
    if name in policy.parameters:
        return policy.parameters[name]
    return INITIAL_POLICY_DOCUMENT["parameters"][name]


@dataclass(frozen=True)
class ComplianceRules:
    """The policy parameters the rules use, and the version they came from."""

    policy_version: str
    no_data_working_days: int
    notice_deadline_working_days: int
    reminder_after_working_days: int
    out_of_region_days: int
    proximity_check_enabled: bool
    objection_days: int

    @classmethod
    def from_policy(cls, policy: Policy) -> ComplianceRules:
        return cls(
            policy_version=policy.version,
            no_data_working_days=int(_parameter(policy, "no_data_working_days")),
            notice_deadline_working_days=int(_parameter(policy, "notice_deadline_working_days")),
            reminder_after_working_days=int(_parameter(policy, "reminder_after_working_days")),
            out_of_region_days=int(_parameter(policy, "out_of_region_days")),
            proximity_check_enabled=bool(_parameter(policy, "proximity_check_enabled")),
            objection_days=int(_parameter(policy, "objection_days")),
        )


def silence_cutoff(today: date, calendar: WorkingCalendar, working_days: int) -> date:
    """The latest day ``D`` with ``working_days_between(D, today) > working_days``.

    A silence that started on this day or earlier is "more than ``working_days`` working days
    old" on ``today``; the sweep computes it once per run and compares dates in SQL.
    """
    counted = 0
    day = today
    while True:
        if calendar.is_working_day(day):
            counted += 1
            if counted == working_days + 1:
                return day - timedelta(days=1)
        day -= timedelta(days=1)


@dataclass(frozen=True)
class PersonFacts:
    """What the sweep knows about one person on one day."""

    person_id: str
    required: bool  # eligibility on the day says "required"
    registration_id: str | None
    registration_status: RegistrationStatus | None
    #: The Moscow day the registration became active (registered, confirmed or restored).
    active_since: date | None
    #: The Moscow day of the latest accepted location report (device time), if any.
    last_report_day: date | None
    #: Of the last ``out_of_region_days`` calendar days before today: how many had reports and
    #: none inside RU-MOW/RU-MOS; and how many had reports and none near the address.
    days_outside_region: int = 0
    days_away_from_address: int = 0
    device_status: DeviceStatus | None = None
    has_open_notice: bool = False
    #: Whether the registration has the building's coordinates: without them nobody can be
    #: away from the address (issue 13: they are added later, with the person's consent).
    address_located: bool = True


@dataclass(frozen=True)
class ReminderToIssue:
    episode_start: date
    signal: PhoneSignal
    silent_working_days: int
    policy_version: str


@dataclass(frozen=True)
class NoticeToIssue:
    kind: NoticeKind
    episode_start: date
    deadline: date
    #: A report dated from this day up to the deadline shows the notice was not needed (late
    #: queued reports) or that the person is back: it resolves the notice.
    covered_from: date
    policy_version: str
    facts: Mapping[str, Any] = field(default_factory=dict)


Outcome = ReminderToIssue | NoticeToIssue | None


def silence_start(facts: PersonFacts) -> date | None:
    """The day the current silence started (see the module docstring)."""
    days = [d for d in (facts.last_report_day, facts.active_since) if d is not None]
    return max(days) if days else None


def _in_scope(facts: PersonFacts, today: date, calendar: WorkingCalendar) -> bool:
    return (
        calendar.is_working_day(today)
        and facts.required
        and facts.registration_id is not None
        and facts.registration_status is RegistrationStatus.active
        and not facts.has_open_notice
    )


def assess(
    facts: PersonFacts, today: date, calendar: WorkingCalendar, rules: ComplianceRules
) -> Outcome:
    """What to issue to this person on ``today``: a notice, a reminder, or nothing."""
    if not _in_scope(facts, today, calendar):
        return None
    start = silence_start(facts)
    if start is None:
        return None
    silent = calendar.working_days_between(start, today)
    deadline = calendar.add_working_days(today, rules.notice_deadline_working_days)
    base_facts: dict[str, Any] = {
        "last_report_day": None
        if facts.last_report_day is None
        else facts.last_report_day.isoformat(),
        "active_since": None if facts.active_since is None else facts.active_since.isoformat(),
        "silent_working_days": silent,
        "phone": phone_signal(facts.device_status).value,
    }
    if silent > rules.no_data_working_days:
        cutoff = silence_cutoff(today, calendar, rules.no_data_working_days)
        return NoticeToIssue(
            kind=NoticeKind.no_data,
            episode_start=start,
            deadline=deadline,
            covered_from=cutoff + timedelta(days=1),
            policy_version=rules.policy_version,
            facts={
                **base_facts,
                "rule": f"no report for more than {rules.no_data_working_days} working days",
            },
        )
    window = rules.out_of_region_days
    window_start = today - timedelta(days=window)
    window_fits = facts.active_since is not None and facts.active_since <= window_start
    if window_fits and window > 0 and facts.days_outside_region >= window:
        return NoticeToIssue(
            kind=NoticeKind.out_of_region,
            episode_start=window_start,
            deadline=deadline,
            covered_from=window_start,
            policy_version=rules.policy_version,
            facts={**base_facts, "days_outside_region": facts.days_outside_region},
        )
    if (
        rules.proximity_check_enabled
        and facts.address_located
        and window_fits
        and window > 0
        and facts.days_away_from_address >= window
    ):
        return NoticeToIssue(
            kind=NoticeKind.away_from_address,
            episode_start=window_start,
            deadline=deadline,
            covered_from=window_start,
            policy_version=rules.policy_version,
            facts={**base_facts, "days_away_from_address": facts.days_away_from_address},
        )
    if silent > rules.reminder_after_working_days:
        return ReminderToIssue(
            episode_start=start,
            signal=phone_signal(facts.device_status),
            silent_working_days=silent,
            policy_version=rules.policy_version,
        )
    return None


def deadline_missed(deadline: date, today: date, calendar: WorkingCalendar) -> bool:
    """Whether an unanswered notice opens a case on ``today``: the deadline day itself is still
    the person's, so a case opens on a working day after it."""
    return calendar.is_working_day(today) and today > deadline


def covers(
    kind: NoticeKind,
    covered_from: date,
    deadline: date,
    *,
    report_day: date,
    inside_region: bool,
    near_address: bool,
) -> bool:
    """Whether one day's reports (a daily summary) resolve a notice by themselves.

    Reports dated from ``covered_from`` up to the deadline count: late queued reports that
    fill the gap, or a phone that is back before the deadline. For an out-of-region notice the
    day must have a report inside the region; for the proximity rule, one near the address.
    """
    if not covered_from <= report_day <= deadline:
        return False
    if kind is NoticeKind.out_of_region:
        return inside_region
    if kind is NoticeKind.away_from_address:
        return near_address
    return True


@dataclass(frozen=True)
class ReportedDay:
    """One day of a person's daily summary: how many reports arrived for it, and how many of
    them lay inside the region and near the registered address."""

    day: date
    reports: int
    inside_region: int
    near_address: int


def covered_by_reports(
    kind: NoticeKind, covered_from: date, deadline: date, days: Iterable[ReportedDay]
) -> bool:
    """Whether the person's reported days resolve a notice: one day with reports that
    :func:`covers` it is enough."""
    return any(
        day.reports > 0
        and covers(
            kind,
            covered_from,
            deadline,
            report_day=day.day,
            inside_region=day.inside_region > 0,
            near_address=day.near_address > 0,
        )
        for day in days
    )
