"""The work patent's rules (issue 11, point 1): amounts from dated tariff rows, the months a
payment covers, validity from payments, the last day to pay, who needs a patent."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from amina.domain.patent import (
    KBK,
    MAX_MONTHS,
    SEED_TARIFFS,
    PatentState,
    Payment,
    PaymentEffect,
    Region,
    TariffBook,
    inn_is_valid,
    months_covered,
    needs_patent,
    period,
    quote,
    region_of_oktmo,
    regions_allowed,
    reminder_due,
    round_to_roubles,
    tariff_row,
    validity,
)

BOOK = TariffBook(SEED_TARIFFS)
days = st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31))


def test_moscow_pays_exactly_8900_a_month_in_2025_and_10000_in_2026() -> None:
    assert BOOK.on(Region.moscow, date(2025, 6, 1)).amount == Decimal(8900)
    assert BOOK.on(Region.moscow, date(2026, 6, 1)).amount == Decimal(10000)
    assert quote(BOOK, Region.moscow, date(2026, 3, 2), 3).total == Decimal(30000)


def test_moscow_oblast_rows_are_carried_as_unverified_with_their_source() -> None:
    oblast = [row for row in SEED_TARIFFS if row.region is Region.moscow_oblast]
    assert oblast
    assert all(not row.verified and "NOT VERIFIED" in row.source for row in oblast)
    assert all(row.verified for row in SEED_TARIFFS if row.region is Region.moscow)
    assert all("Tax Code art. 227.1" in row.source for row in SEED_TARIFFS)


@given(
    year=st.integers(2015, 2040),
    region=st.sampled_from(list(Region)),
    deflator=st.decimals("1.000", "5.000", places=3),
    coefficient=st.decimals("1.0000", "5.0000", places=4),
)
def test_every_tariff_row_amount_is_the_formula_rounded_to_whole_roubles(
    year: int, region: Region, deflator: Decimal, coefficient: Decimal
) -> None:
    row = tariff_row(year, region, str(deflator), str(coefficient), "test source")
    exact = Decimal(1200) * deflator * coefficient
    assert row.agrees()
    assert row.amount == exact.quantize(Decimal(1), rounding="ROUND_HALF_UP")
    assert abs(row.amount - exact) <= Decimal("0.5")


def test_every_seeded_row_agrees_with_the_formula() -> None:
    for row in SEED_TARIFFS:
        assert row.agrees(), row
        assert round_to_roubles(row.formula) == row.amount


@given(region=st.sampled_from(list(Region)), year=st.sampled_from([2025]))
def test_a_payment_on_31_december_uses_decembers_deflator(region: Region, year: int) -> None:
    december = BOOK.on(region, date(year, 12, 31))
    january = BOOK.on(region, date(year + 1, 1, 1))
    assert december.year == year
    assert december.deflator == Decimal("2.594")
    assert january.deflator == Decimal("2.842")
    assert quote(BOOK, region, date(year, 12, 31), 1).total == Decimal(8900)


def test_a_newer_version_of_a_row_replaces_the_older_one() -> None:
    corrected = tariff_row(2026, Region.moscow_oblast, "2.842", "2.9000", "Oblast law", version=2)
    book = TariffBook([*SEED_TARIFFS, corrected])
    assert book.on(Region.moscow_oblast, date(2026, 2, 1)) == corrected


@given(issued=days, paid=st.integers(0, 11), months=st.integers(1, 12))
def test_the_months_a_payment_covers_follow_the_paid_ones_without_gap(
    issued: date, paid: int, months: int
) -> None:
    covered = months_covered(issued, paid, months)
    previous_end = period(issued, paid).end if paid else issued - timedelta(days=1)
    for p in covered:
        assert p.start == previous_end + timedelta(days=1)
        assert 28 <= (p.end - p.start).days + 1 <= 31
        previous_end = p.end


payments = st.lists(st.tuples(st.integers(-20, 400), st.integers(1, 12)), min_size=0, max_size=8)


@given(issued=days, at_issue=st.integers(1, 12), made=payments)
def test_validity_never_has_a_gap_the_payments_do_not_explain(
    issued: date, at_issue: int, made: list[tuple[int, int]]
) -> None:
    paid = [Payment(f"p{i}", issued + timedelta(days=d), m) for i, (d, m) in enumerate(made)]
    result = validity(issued, at_issue, paid)
    extended = sum(p.months for p in paid if result.effects[p.id] is PaymentEffect.extended)
    # every paid month is explained by the months at issue and the extending payments
    assert result.months_paid == at_issue + extended <= MAX_MONTHS
    # one unbroken run of days from issue to the last paid day
    periods = result.periods
    assert periods[0].start == issued
    for before, after in itertools.pairwise(periods):
        assert after.start == before.end + timedelta(days=1)
    assert periods[-1].end == result.paid_until
    # a payment extends only if it was made while the patent was still valid
    for p in paid:
        if result.effects[p.id] is PaymentEffect.extended:
            assert p.paid_on <= result.paid_until


def test_a_payment_one_day_late_extends_nothing_and_the_patent_has_ended() -> None:
    issued = date(2025, 11, 5)
    first = validity(issued, 1, [])
    assert first.paid_until == date(2025, 12, 4)
    on_time = validity(issued, 1, [Payment("a", date(2025, 12, 4), 2)])
    assert on_time.paid_until == date(2026, 2, 4)
    late = validity(issued, 1, [Payment("a", date(2025, 12, 5), 2)])
    assert late.paid_until == date(2025, 12, 4)
    assert late.effects == {"a": PaymentEffect.after_lapse}
    assert late.state_on(date(2025, 12, 5)) is PatentState.lapsed


def test_the_last_day_to_pay_is_the_last_paid_day_even_on_a_sunday() -> None:
    result = validity(date(2025, 11, 9), 1, [])  # paid until Monday 8 December
    assert result.last_day_to_pay() == date(2025, 12, 8)
    sunday = validity(date(2025, 11, 8), 1, [])
    assert sunday.paid_until == date(2025, 12, 7)  # a Sunday
    assert sunday.last_day_to_pay() == date(2025, 12, 7)


def test_no_more_than_twelve_months_from_issue() -> None:
    result = validity(date(2025, 1, 10), 10, [Payment("a", date(2025, 2, 1), 3)])
    assert result.effects["a"] is PaymentEffect.beyond_term
    assert result.months_left_in_term == 2
    full = validity(date(2025, 1, 10), 12, [])
    assert full.last_day_to_pay() is None
    assert full.state_on(date(2026, 1, 10)) is PatentState.term_over


def test_reminders_come_10_3_1_days_before_and_on_the_last_day_never_after() -> None:
    result = validity(date(2025, 11, 5), 1, [])  # paid until 4 December
    due = {
        day: reminder_due(result, day)
        for day in (date(2025, 11, 5) + timedelta(days=n) for n in range(40))
    }
    sent = {day: left for day, left in due.items() if left is not None}
    assert sent == {
        date(2025, 11, 24): 10,
        date(2025, 12, 1): 3,
        date(2025, 12, 3): 1,
        date(2025, 12, 4): 0,
    }


def test_citizens_of_the_eaeu_need_no_patent_others_working_do() -> None:
    for country in ("AM", "BY", "KZ", "KG"):
        assert not needs_patent(country, "work")
    for country in ("UZ", "TJ", "AZ", "MD", "UA", "GE"):
        assert needs_patent(country, "work")
    assert not needs_patent("UZ", "study")


def test_identifiers_of_a_payment() -> None:
    assert KBK == "18210102040011000110"
    assert inn_is_valid("500100732259")
    assert not inn_is_valid("500100732258")
    assert region_of_oktmo("45382000") is Region.moscow
    assert region_of_oktmo("46735000") is Region.moscow_oblast
    assert region_of_oktmo("40000000") is None
    assert regions_allowed([Region.moscow, Region.moscow_oblast], date(2025, 9, 1))
    assert not regions_allowed([Region.moscow, Region.moscow_oblast], date(2025, 8, 31))
