"""When a person is reminded or sent a notice (amina.domain.compliance), on real dates of the
Russian production calendar: the November 2025 holidays (1 Nov a working Saturday, 3–4 Nov days
off) and the 2026 New Year break (1–11 Jan)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amina.domain.calendar import WorkingCalendar
from amina.domain.compliance import (
    ComplianceRules,
    DeviceStatus,
    NoticeKind,
    NoticeToIssue,
    PersonFacts,
    PhoneSignal,
    ReminderToIssue,
    assess,
    covers,
    deadline_missed,
    phone_signal,
    silence_cutoff,
)
from amina.domain.policy import initial_policy
from amina.domain.registration import RegistrationStatus

CALENDAR = WorkingCalendar()
RULES = ComplianceRules.from_policy(initial_policy())
REGISTERED = date(2025, 10, 1)


def person(
    last_report: date | None,
    *,
    required: bool = True,
    status: RegistrationStatus = RegistrationStatus.active,
    active_since: date = REGISTERED,
    outside: int = 0,
    away: int = 0,
    device: DeviceStatus | None = None,
) -> PersonFacts:
    return PersonFacts(
        person_id="p",
        required=required,
        registration_id="r",
        registration_status=status,
        active_since=active_since,
        last_report_day=last_report,
        days_outside_region=outside,
        days_away_from_address=away,
        device_status=device,
    )


def first_issue(last_report: date, start: date, kind: type) -> date:
    """The first day from ``start`` on which ``assess`` gives an outcome of ``kind``."""
    day = start
    while True:
        if isinstance(assess(person(last_report), day, CALENDAR, RULES), kind):
            return day
        day += timedelta(days=1)


def test_the_policy_gives_the_numbers_of_the_source() -> None:
    assert RULES.no_data_working_days == 3
    assert RULES.notice_deadline_working_days == 3
    assert RULES.reminder_after_working_days == 1
    assert RULES.objection_days == 10
    assert RULES.proximity_check_enabled is False


def test_a_person_silent_after_wednesday_29_october_2025_gets_a_notice_on_5_november() -> None:
    assert first_issue(date(2025, 10, 29), date(2025, 10, 30), NoticeToIssue) == date(2025, 11, 5)


def test_a_person_silent_after_thursday_30_october_gets_the_notice_on_thursday_6_november() -> None:
    notice = assess(person(date(2025, 10, 30)), date(2025, 11, 6), CALENDAR, RULES)
    assert isinstance(notice, NoticeToIssue)
    assert notice.kind is NoticeKind.no_data
    assert notice.episode_start == date(2025, 10, 30)
    # answer by Tuesday 11 November: Fri 7, Mon 10, Tue 11
    assert notice.deadline == date(2025, 11, 11)
    assert notice.policy_version == RULES.policy_version


def test_a_person_who_reported_on_the_last_allowed_day_gets_no_notice() -> None:
    # on Wed 5 Nov a report of Thu 30 Oct is exactly 3 working days old: Fri 31, Sat 1, Wed 5
    outcome = assess(person(date(2025, 10, 30)), date(2025, 11, 5), CALENDAR, RULES)
    assert not isinstance(outcome, NoticeToIssue)


def test_the_reminder_comes_on_the_working_saturday_1_november() -> None:
    assert first_issue(date(2025, 10, 30), date(2025, 10, 31), ReminderToIssue) == date(2025, 11, 1)
    assert assess(person(date(2025, 10, 30)), date(2025, 10, 31), CALENDAR, RULES) is None


def test_nothing_is_issued_on_the_days_off_3_and_4_november() -> None:
    for day in (date(2025, 11, 2), date(2025, 11, 3), date(2025, 11, 4)):
        assert assess(person(date(2025, 10, 20)), day, CALENDAR, RULES) is None


def test_across_the_new_year_break_the_notice_waits_for_14_january_2026() -> None:
    last = date(2025, 12, 29)
    assert first_issue(last, date(2025, 12, 30), ReminderToIssue) == date(2026, 1, 12)
    assert first_issue(last, date(2025, 12, 30), NoticeToIssue) == date(2026, 1, 14)
    notice = assess(person(last), date(2026, 1, 14), CALENDAR, RULES)
    assert isinstance(notice, NoticeToIssue)
    assert notice.deadline == date(2026, 1, 19)
    # a report on 30 December is still within the allowed days on 14 January
    assert not isinstance(
        assess(person(date(2025, 12, 30)), date(2026, 1, 14), CALENDAR, RULES), NoticeToIssue
    )


def test_the_reminder_says_what_the_phone_reported_last() -> None:
    reminder = assess(
        person(date(2025, 10, 30), device=DeviceStatus(permission_granted=False)),
        date(2025, 11, 1),
        CALENDAR,
        RULES,
    )
    assert isinstance(reminder, ReminderToIssue)
    assert reminder.signal is PhoneSignal.permission_off


@pytest.mark.parametrize(
    ("status", "signal"),
    [
        (None, PhoneSignal.no_contact),
        (DeviceStatus(True, True, False), PhoneSignal.no_contact),
        (DeviceStatus(False, False, True), PhoneSignal.permission_off),
        (DeviceStatus(True, False, True), PhoneSignal.location_services_off),
        (DeviceStatus(True, True, True), PhoneSignal.battery_saver),
    ],
)
def test_the_first_problem_the_phone_reported_is_named(
    status: DeviceStatus | None, signal: PhoneSignal
) -> None:
    assert phone_signal(status) is signal


def test_people_who_need_not_report_or_whose_registration_awaits_an_answer_get_nothing() -> None:
    day = date(2025, 11, 6)
    silent = date(2025, 10, 1)
    assert assess(person(silent, required=False), day, CALENDAR, RULES) is None
    assert (
        assess(
            person(silent, status=RegistrationStatus.confirmation_requested), day, CALENDAR, RULES
        )
        is None
    )
    assert (
        assess(person(silent, status=RegistrationStatus.deregistered), day, CALENDAR, RULES) is None
    )


def test_silence_is_counted_from_the_day_the_registration_became_active() -> None:
    # confirmed (or registered) on Wed 5 Nov, no report since: the notice comes on Tue 11 Nov
    facts = person(None, active_since=date(2025, 11, 5))
    assert not isinstance(assess(facts, date(2025, 11, 10), CALENDAR, RULES), NoticeToIssue)
    assert isinstance(assess(facts, date(2025, 11, 11), CALENDAR, RULES), NoticeToIssue)


def test_three_days_outside_the_region_bring_an_out_of_region_notice() -> None:
    day = date(2025, 11, 6)
    notice = assess(person(day - timedelta(days=1), outside=3), day, CALENDAR, RULES)
    assert isinstance(notice, NoticeToIssue)
    assert notice.kind is NoticeKind.out_of_region
    assert notice.episode_start == date(2025, 11, 3)
    assert assess(person(day - timedelta(days=1), outside=2), day, CALENDAR, RULES) is None


def test_the_proximity_rule_is_off_unless_the_policy_switches_it_on() -> None:
    day = date(2025, 11, 6)
    facts = person(day - timedelta(days=1), away=3)
    assert assess(facts, day, CALENDAR, RULES) is None
    on = ComplianceRules(**{**vars(RULES), "proximity_check_enabled": True})
    notice = assess(facts, day, CALENDAR, on)
    assert isinstance(notice, NoticeToIssue)
    assert notice.kind is NoticeKind.away_from_address


def test_nobody_is_away_from_an_address_whose_building_has_no_coordinates_yet() -> None:
    day = date(2025, 11, 6)
    facts = replace(person(day - timedelta(days=1), away=3), address_located=False)
    on = ComplianceRules(**{**vars(RULES), "proximity_check_enabled": True})
    assert assess(facts, day, CALENDAR, on) is None


def test_a_case_opens_on_a_working_day_after_the_deadline_never_on_it() -> None:
    deadline = date(2025, 11, 11)
    assert not deadline_missed(deadline, deadline, CALENDAR)
    assert deadline_missed(deadline, date(2025, 11, 12), CALENDAR)
    assert not deadline_missed(date(2025, 12, 30), date(2026, 1, 5), CALENDAR)  # holiday


def test_late_reports_from_the_covered_days_resolve_a_notice() -> None:
    notice = assess(person(date(2025, 10, 30)), date(2025, 11, 6), CALENDAR, RULES)
    assert isinstance(notice, NoticeToIssue)
    assert notice.covered_from == date(2025, 10, 31)

    def resolves(day: date) -> bool:
        return covers(
            notice.kind,
            notice.covered_from,
            notice.deadline,
            report_day=day,
            inside_region=True,
            near_address=True,
        )

    assert resolves(date(2025, 10, 31))  # a queued report of Friday fills the gap
    assert resolves(date(2025, 11, 11))  # back on the deadline day
    assert not resolves(date(2025, 10, 30))  # the day already known
    assert not resolves(date(2025, 11, 12))  # after the deadline: the inspector decides


def test_an_out_of_region_notice_is_resolved_only_by_a_day_inside_the_region() -> None:
    args = {"report_day": date(2025, 11, 7), "near_address": False}
    assert covers(
        NoticeKind.out_of_region, date(2025, 11, 3), date(2025, 11, 11), inside_region=True, **args
    )
    assert not covers(
        NoticeKind.out_of_region, date(2025, 11, 3), date(2025, 11, 11), inside_region=False, **args
    )


days = st.dates(min_value=date(2025, 9, 1), max_value=date(2027, 12, 31))


@settings(max_examples=300, deadline=None)
@given(last=days, gap=st.integers(min_value=0, max_value=40))
def test_a_notice_is_issued_exactly_when_more_than_three_working_days_have_passed(
    last: date, gap: int
) -> None:
    today = last + timedelta(days=gap)
    outcome = assess(person(last, active_since=last), today, CALENDAR, RULES)
    silent = CALENDAR.working_days_between(last, today)
    if not CALENDAR.is_working_day(today):
        assert outcome is None
    elif silent > 3:
        assert isinstance(outcome, NoticeToIssue)
        assert CALENDAR.working_days_between(today, outcome.deadline) == 3
        assert CALENDAR.is_working_day(outcome.deadline)
    elif silent > 1:
        assert isinstance(outcome, ReminderToIssue)
    else:
        assert outcome is None


@settings(max_examples=300, deadline=None)
@given(today=days, n=st.integers(min_value=0, max_value=10))
def test_the_cutoff_is_the_last_day_whose_silence_is_more_than_n_working_days(
    today: date, n: int
) -> None:
    cutoff = silence_cutoff(today, CALENDAR, n)
    assert CALENDAR.working_days_between(cutoff, today) > n
    assert CALENDAR.working_days_between(cutoff + timedelta(days=1), today) <= n
