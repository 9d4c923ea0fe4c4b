"""The migration centre's slots follow the production calendar (issue 12, point 2): none on
4 November 2025 or in the New Year break, some on the working Saturday of 1 November 2025,
none on a day the centre closed; tickets' short codes; when reminders are due."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from amina.domain.booking import (
    CODE_RANDOM_BYTES,
    ReminderKind,
    ServiceCode,
    SlotTemplate,
    default_templates,
    grouped_code,
    normalise_code,
    planned_slots,
    reminder_due,
    ticket_code_from,
)
from amina.domain.calendar import MOSCOW, WorkingCalendar

CALENDAR = WorkingCalendar()


def _days(start: date, end: date, closed: tuple[date, ...] = ()) -> set[date]:
    return {s.day for s in planned_slots(start, end, CALENDAR, default_templates(), closed)}


def test_no_slots_on_4_november_2025_and_slots_on_the_working_saturday_before_it() -> None:
    days = _days(date(2025, 10, 30), date(2025, 11, 5))

    assert days == {date(2025, 10, 30), date(2025, 10, 31), date(2025, 11, 1), date(2025, 11, 5)}
    assert date(2025, 11, 1).weekday() == 5  # a working Saturday (3 November is off instead)


def test_no_slots_in_the_new_year_break() -> None:
    days = _days(date(2025, 12, 29), date(2026, 1, 12))

    assert days == {date(2025, 12, 29), date(2025, 12, 30), date(2026, 1, 12)}


def test_a_decree_entered_as_an_override_and_a_closed_day_both_remove_slots() -> None:
    decree = WorkingCalendar({date(2025, 11, 6): False})
    planned = planned_slots(date(2025, 11, 5), date(2025, 11, 7), decree, default_templates())
    assert {s.day for s in planned} == {date(2025, 11, 5), date(2025, 11, 7)}

    assert _days(date(2025, 11, 5), date(2025, 11, 7), (date(2025, 11, 7),)) == {
        date(2025, 11, 5),
        date(2025, 11, 6),
    }


def test_slots_run_from_eight_to_six_moscow_time_in_steps_of_the_services_duration() -> None:
    slots = [
        s
        for s in planned_slots(date(2025, 11, 5), date(2025, 11, 5), CALENDAR, default_templates())
        if s.service is ServiceCode.language_test
    ]

    assert [s.starts_at.astimezone(MOSCOW).time() for s in slots] == [
        time(hour) for hour in range(8, 18)
    ]
    assert slots[0].starts_at.utcoffset() == timedelta(hours=3)
    assert all(s.capacity == 10 for s in slots)


def test_a_service_with_no_counters_on_a_weekday_has_no_slots_that_day() -> None:
    templates = [
        SlotTemplate(2, ServiceCode.biometrics, time(9), time(12), 0),
        SlotTemplate(2, ServiceCode.card_issuance, time(9), time(10), 3),
    ]

    slots = planned_slots(date(2025, 11, 5), date(2025, 11, 5), CALENDAR, templates)

    assert [(s.service, s.capacity) for s in slots] == [(ServiceCode.card_issuance, 3)] * 2


@given(st.binary(min_size=CODE_RANDOM_BYTES, max_size=CODE_RANDOM_BYTES))
def test_a_ticket_code_is_read_back_from_its_printed_form_its_qr_and_sloppy_typing(
    random: bytes,
) -> None:
    code = ticket_code_from(random)
    printed = grouped_code(code)

    assert normalise_code(printed) == code
    assert normalise_code(printed.lower().replace("-", " ")) == code
    assert normalise_code(f"https://amina.example/console/booking/check-in?code={printed}") == code


def test_a_typed_code_of_the_wrong_length_is_no_ticket_code() -> None:
    assert normalise_code("7KQ3-M9X") is None
    assert normalise_code("7KQ3-M9XD-2") is None


def test_reminders_are_due_the_day_before_then_two_hours_before_and_never_after_the_start() -> None:
    visit = datetime(2025, 11, 6, 10, 0, tzinfo=MOSCOW)

    assert reminder_due(visit, visit - timedelta(hours=25)) is None
    assert reminder_due(visit, visit - timedelta(hours=24)) is ReminderKind.day_before
    assert reminder_due(visit, visit - timedelta(hours=3)) is ReminderKind.day_before
    assert reminder_due(visit, visit - timedelta(hours=2)) is ReminderKind.two_hours
    assert reminder_due(visit, visit) is None
