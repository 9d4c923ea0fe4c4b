"""The work patent's payments (SPEC §8, issue 11): amounts, months covered, validity.

A labour migrant from a visa-free country outside the EAEU keeps the right to work only while
the fixed advance payment of personal income tax for the patent (Tax Code art. 227.1) is paid
**before** each paid period starts. There is no grace day: the patent ends on the day after the
last paid day, and a payment made after that day extends nothing.

- **Amounts** come from dated tariff rows (one per year and region, each with its legal source):
  base × the year's deflator × the region's coefficient, rounded to whole roubles (Tax Code
  art. 52 §6: 50 kopecks and more count as a rouble). The row in force **on the day of payment**
  applies (Federal Tax Service letter of 27.01.2016 No. БС-4-11/1052@): a payment made on
  31 December for January uses December's row.
- **Paid periods** are calendar months counted from the day of issue: period *k* runs from the
  issue date plus *k − 1* months to the day before the issue date plus *k* months (always
  counted from the issue date, so the periods join without gaps or overlaps).
- **Validity** follows from the payments: the months paid at issue, then every payment made on
  or before the last paid day, up to 12 months in total from issue (then a new patent is needed).
- **The last day to pay** for the next period is the last paid day itself: the law moves
  nothing for weekends or holidays, so neither do we.

Everything here is pure: no clock, no database, Decimal amounts (never float).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

#: Budget classification code of the fixed advance payment of personal income tax (patent).
KBK = "18210102040011000110"
#: A patent is issued for 1 to 12 months and extended by payment up to 12 months from issue.
MAX_MONTHS = 12
#: Since this day one patent may cover both Moscow and Moscow Oblast (121-FZ of 23.05.2025).
JOINT_PATENT_FROM = date(2025, 9, 1)
JOINT_PATENT_SOURCE = "Federal law No. 121-FZ of 23.05.2025"


class Region(StrEnum):
    moscow = "RU-MOW"
    moscow_oblast = "RU-MOS"


#: OKTMO codes of the place of work start with the region's two digits.
OKTMO_REGIONS: dict[str, Region] = {"45": Region.moscow, "46": Region.moscow_oblast}


# --- who needs a patent (policy data) --------------------------------------------------------


@dataclass(frozen=True)
class PatentRequirement:
    """Who must hold a patent to work, as data: foreign nationals working in Russia, except
    citizens of the EAEU member states, who work without one."""

    purposes: frozenset[str]
    exempt_citizenships: frozenset[str]
    source: str


PATENT_REQUIREMENT = PatentRequirement(
    purposes=frozenset({"work"}),
    exempt_citizenships=frozenset({"AM", "BY", "KZ", "KG"}),
    source="Treaty on the Eurasian Economic Union of 29.05.2014, art. 97; "
    "Federal law No. 115-FZ of 25.07.2002, art. 13.3",
)


def needs_patent(
    citizenship: str, purpose: str | None, requirement: PatentRequirement = PATENT_REQUIREMENT
) -> bool:
    """Whether a card holder of ``citizenship`` staying for ``purpose`` needs a work patent."""
    return (
        purpose in requirement.purposes
        and citizenship.upper() not in requirement.exempt_citizenships
    )


# --- tariffs -----------------------------------------------------------------------------------


def round_to_roubles(amount: Decimal) -> Decimal:
    """Whole roubles, as Tax Code art. 52 §6 rounds: under 50 kopecks dropped, else a rouble."""
    return amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Tariff:
    """One dated row of the tariff table: the monthly amount for a year and a region."""

    year: int
    region: Region
    base: Decimal
    deflator: Decimal
    coefficient: Decimal
    amount: Decimal
    effective_from: date
    source: str
    #: False when the coefficient is not confirmed from the region's own law (shown to staff).
    verified: bool = True
    version: int = 1

    @property
    def formula(self) -> Decimal:
        """base × deflator × coefficient, unrounded."""
        return self.base * self.deflator * self.coefficient

    def agrees(self) -> bool:
        """The stored amount is the formula rounded to whole roubles."""
        return self.amount == round_to_roubles(self.formula)


def tariff_row(
    year: int,
    region: Region,
    deflator: str,
    coefficient: str,
    source: str,
    *,
    base: str = "1200",
    verified: bool = True,
    effective_from: date | None = None,
    version: int = 1,
) -> Tariff:
    """A tariff row whose amount is computed by the formula (how rows are made and edited)."""
    b, d, c = Decimal(base), Decimal(deflator), Decimal(coefficient)
    return Tariff(
        year=year,
        region=region,
        base=b,
        deflator=d,
        coefficient=c,
        amount=round_to_roubles(b * d * c),
        effective_from=effective_from or date(year, 1, 1),
        source=source,
        verified=verified,
        version=version,
    )


_BASE = "Tax Code art. 227.1 §2 (1,200 RUB); rounding: Tax Code art. 52 §6"
_DEFLATOR_2025 = (
    "deflator 2.594: Order of the Ministry of Economic Development of 17.10.2024 No. 645"
)
_DEFLATOR_2026 = (
    "deflator 2.842: Order of the Ministry of Economic Development of 06.11.2025 No. 734"
)
_OBLAST_UNVERIFIED = (
    "coefficient NOT VERIFIED: Moscow Oblast announced the same monthly amount as Moscow "
    "('a single approach with Moscow'); the coefficient in the Oblast's own law has not been "
    "checked, Moscow's is carried"
)

#: The rows the tariff table is seeded with (migration 0007). Supervisors add versions.
SEED_TARIFFS: tuple[Tariff, ...] = (
    tariff_row(
        2025,
        Region.moscow,
        "2.594",
        "2.8592",
        f"{_BASE}; {_DEFLATOR_2025}; coefficient 2.8592: Moscow city law on the regional "
        "coefficient for the fixed advance payment (as in force for 2025)",
    ),
    tariff_row(
        2026,
        Region.moscow,
        "2.842",
        "2.9323",
        f"{_BASE}; {_DEFLATOR_2026}; coefficient 2.9323: Moscow city law on the regional "
        "coefficient for the fixed advance payment (as amended in November 2025)",
    ),
    tariff_row(
        2025,
        Region.moscow_oblast,
        "2.594",
        "2.8592",
        f"{_BASE}; {_DEFLATOR_2025}; {_OBLAST_UNVERIFIED}",
        verified=False,
    ),
    tariff_row(
        2026,
        Region.moscow_oblast,
        "2.842",
        "2.9323",
        f"{_BASE}; {_DEFLATOR_2026}; {_OBLAST_UNVERIFIED}",
        verified=False,
    ),
)


class NoTariff(LookupError):
    """No tariff row is in force for the region on that day."""


class TariffBook:
    """The tariff rows in force (the newest version of each year and region)."""

    def __init__(self, rows: Iterable[Tariff]) -> None:
        newest: dict[tuple[int, Region], Tariff] = {}
        for row in rows:
            key = (row.year, row.region)
            if key not in newest or row.version > newest[key].version:
                newest[key] = row
        self.rows: tuple[Tariff, ...] = tuple(
            sorted(newest.values(), key=lambda r: (r.region.value, r.effective_from))
        )

    def on(self, region: Region, paid_on: date) -> Tariff:
        """The row for a payment made on ``paid_on`` in ``region``: the latest row that took
        effect on or before that day."""
        candidates = [r for r in self.rows if r.region == region and r.effective_from <= paid_on]
        if not candidates:
            raise NoTariff(f"no tariff for {region.value} on {paid_on.isoformat()}")
        return max(candidates, key=lambda r: r.effective_from)


@dataclass(frozen=True)
class Quote:
    """The exact amount for ``months`` months paid on ``paid_on``, and the row it comes from."""

    months: int
    monthly: Decimal
    total: Decimal
    tariff: Tariff
    paid_on: date


def quote(book: TariffBook, region: Region, paid_on: date, months: int) -> Quote:
    tariff = book.on(region, paid_on)
    return Quote(months, tariff.amount, tariff.amount * months, tariff, paid_on)


# --- months and validity -----------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months; the 31st becomes the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass(frozen=True)
class PaidPeriod:
    """One paid month of a patent: its number (1 = the first month after issue) and days."""

    number: int
    start: date
    end: date


def period(issued_on: date, number: int) -> PaidPeriod:
    """The ``number``-th month of a patent issued on ``issued_on``."""
    if number < 1:
        raise ValueError("periods are numbered from 1")
    start = add_months(issued_on, number - 1)
    end = add_months(issued_on, number) - timedelta(days=1)
    return PaidPeriod(number, start, end)


def months_covered(issued_on: date, already_paid: int, months: int) -> tuple[PaidPeriod, ...]:
    """The periods a payment of ``months`` months covers after ``already_paid`` months."""
    return tuple(period(issued_on, already_paid + k) for k in range(1, months + 1))


@dataclass(frozen=True)
class Payment:
    """A payment that reached the budget: the day it was made and how many months it pays."""

    id: str
    paid_on: date
    months: int


class PaymentEffect(StrEnum):
    extended = "extended"
    #: Made after the last paid day: the patent had already ended; it extends nothing.
    after_lapse = "after_lapse"
    #: Would take the patent past 12 months from issue: a new patent is needed instead.
    beyond_term = "beyond_term"


class PatentState(StrEnum):
    valid = "valid"
    #: The last paid day has passed: the patent has ended (no grace day).
    lapsed = "lapsed"
    #: All 12 months were paid and have passed: the patent's term is over.
    term_over = "term_over"
    #: Not valid yet (issued in the future, e.g. a typing mistake or a clock set back).
    not_started = "not_started"


@dataclass(frozen=True)
class Validity:
    """The patent's validity as its payments make it: one unbroken run of paid months from the
    issue date to ``paid_until``, and what each payment did."""

    issued_on: date
    months_paid: int
    paid_until: date
    effects: dict[str, PaymentEffect] = field(default_factory=dict)

    @property
    def periods(self) -> tuple[PaidPeriod, ...]:
        return months_covered(self.issued_on, 0, self.months_paid)

    @property
    def months_left_in_term(self) -> int:
        return MAX_MONTHS - self.months_paid

    def state_on(self, today: date) -> PatentState:
        if today < self.issued_on:
            return PatentState.not_started
        if today <= self.paid_until:
            return PatentState.valid
        return PatentState.term_over if self.months_paid >= MAX_MONTHS else PatentState.lapsed

    def days_left(self, today: date) -> int:
        """Days the patent still covers, today included (0 once it has ended)."""
        return max(0, (self.paid_until - today).days + 1)

    def last_day_to_pay(self) -> date | None:
        """The last day a payment for the next period is on time: the last paid day (the next
        period must be paid before it starts; weekends move nothing). None when the 12 months
        are all paid."""
        return self.paid_until if self.months_paid < MAX_MONTHS else None

    def covers(self, day: date) -> bool:
        return self.issued_on <= day <= self.paid_until


def validity(issued_on: date, months_at_issue: int, payments: Sequence[Payment]) -> Validity:
    """The validity that follows from the months paid at issue and the payments after it.

    Payments are taken in the order they were made; each one made on or before the current
    last paid day extends the patent by its months (up to 12 from issue). A payment made after
    the last paid day finds the patent already ended and extends nothing: it is reported as
    ``after_lapse`` (the money is owed back to the person, or counts for a new patent).
    """
    if not 1 <= months_at_issue <= MAX_MONTHS:
        raise ValueError("a patent is issued for 1 to 12 months")
    paid = months_at_issue
    effects: dict[str, PaymentEffect] = {}
    for payment in sorted(payments, key=lambda p: (p.paid_on, p.id)):
        paid_until = period(issued_on, paid).end
        if payment.paid_on > paid_until:
            effects[payment.id] = PaymentEffect.after_lapse
        elif paid + payment.months > MAX_MONTHS:
            effects[payment.id] = PaymentEffect.beyond_term
        else:
            paid += payment.months
            effects[payment.id] = PaymentEffect.extended
    return Validity(issued_on, paid, period(issued_on, paid).end, effects)


# --- what a person must know ---------------------------------------------------------------


#: Reminders go this many calendar days before the paid period ends (0: on the last day).
REMINDER_DAYS: tuple[int, ...] = (10, 3, 1, 0)


def reminder_due(validity_: Validity, today: date) -> int | None:
    """If a reminder is due today: how many days are left before the paid period ends (10, 3, 1
    or 0 for the last day). Never after the patent has ended, never when all 12 months are
    paid (there is nothing more to pay for this patent)."""
    if validity_.last_day_to_pay() is None or not validity_.covers(today):
        return None
    days = (validity_.paid_until - today).days
    return days if days in REMINDER_DAYS else None


def payable_months(validity_: Validity, today: date) -> int:
    """How many more months can be paid today: none once the patent has ended."""
    if validity_.state_on(today) is not PatentState.valid:
        return 0
    return validity_.months_left_in_term


# --- identifiers ---------------------------------------------------------------------------

_INN_WEIGHTS_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN_WEIGHTS_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def inn_is_valid(inn: str) -> bool:
    """A person's INN: 12 digits whose two check digits agree (Federal Tax Service algorithm)."""
    if len(inn) != 12 or not inn.isascii() or not inn.isdigit():
        return False
    digits = [int(c) for c in inn]
    check_11 = sum(w * d for w, d in zip(_INN_WEIGHTS_11, digits, strict=False)) % 11 % 10
    check_12 = sum(w * d for w, d in zip(_INN_WEIGHTS_12, digits, strict=False)) % 11 % 10
    return digits[10] == check_11 and digits[11] == check_12


def region_of_oktmo(oktmo: str) -> Region | None:
    """The region an OKTMO code (8 or 11 digits) belongs to, if it is Moscow or the Oblast."""
    if len(oktmo) not in (8, 11) or not oktmo.isascii() or not oktmo.isdigit():
        return None
    return OKTMO_REGIONS.get(oktmo[:2])


def regions_allowed(regions: Iterable[Region], issued_on: date) -> bool:
    """One region, or both only for patents issued since the joint-patent law took effect."""
    chosen = set(regions)
    if not chosen:
        return False
    return len(chosen) == 1 or issued_on >= JOINT_PATENT_FROM
