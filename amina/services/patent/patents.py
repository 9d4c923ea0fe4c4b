"""The person's patent: recorded from the paper by the person, and shown with the validity
its payments give it, the next payment and the last day to pay."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from amina.adapters.db.identity.tables import CardRow, PersonRow
from amina.adapters.db.patent.tables import PatentPaymentRow, PatentRow
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.domain.calendar import moscow_date
from amina.domain.patent import (
    MAX_MONTHS,
    NoTariff,
    PatentState,
    Payment,
    Quote,
    Region,
    Validity,
    inn_is_valid,
    needs_patent,
    payable_months,
    quote,
    region_of_oktmo,
    regions_allowed,
    validity,
)
from amina.i18n import N_
from amina.services.audit.trail import Actor, Purpose, record_access
from amina.services.clock import Clock
from amina.services.patent.errors import (
    months_invalid,
    no_tariff,
    patent_exists,
    patent_invalid,
    patent_lapsed,
    term_over,
)
from amina.services.patent.tariffs import tariff_book
from amina.services.staff.permissions import Permission, require


@dataclass(frozen=True)
class NewPatent:
    """A patent as printed: number, regions, date of issue, months paid before issue, the
    payer's INN and the OKTMO of the place of work."""

    number: str
    regions: tuple[Region, ...]
    issued_on: date
    months_at_issue: int
    inn: str
    oktmo: str


@dataclass(frozen=True)
class PatentView:
    id: str
    person_id: str
    number: str
    regions: tuple[Region, ...]
    issued_on: date
    months_at_issue: int
    inn: str
    oktmo: str
    validity: Validity
    today: date

    @property
    def payment_region(self) -> Region:
        """The region whose tariff applies: the one of the place of work (its OKTMO)."""
        return region_of_oktmo(self.oktmo) or self.regions[0]

    @property
    def state(self) -> PatentState:
        return self.validity.state_on(self.today)

    @property
    def payable_months(self) -> int:
        return payable_months(self.validity, self.today)


def succeeded_payments(uow: UnitOfWork, person_id: str, patent_id: str) -> list[Payment]:
    rows = uow.session.scalars(
        select(PatentPaymentRow).where(
            PatentPaymentRow.person_id == person_id,
            PatentPaymentRow.patent_id == patent_id,
            PatentPaymentRow.status == "succeeded",
        )
    )
    return [
        Payment(row.id, moscow_date(row.paid_at), row.months)
        for row in rows
        if row.paid_at is not None
    ]


def view_of(uow: UnitOfWork, row: PatentRow, today: date) -> PatentView:
    paid = succeeded_payments(uow, row.person_id, row.id)
    return PatentView(
        id=row.id,
        person_id=row.person_id,
        number=row.number,
        regions=tuple(Region(r) for r in row.regions),
        issued_on=row.issued_on,
        months_at_issue=row.months_at_issue,
        inn=row.inn,
        oktmo=row.oktmo,
        validity=validity(row.issued_on, row.months_at_issue, paid),
        today=today,
    )


def current_patent_row(uow: UnitOfWork, person_id: str) -> PatentRow | None:
    """The person's latest patent (by date of issue)."""
    return uow.session.scalar(
        select(PatentRow)
        .where(PatentRow.person_id == person_id)
        .order_by(PatentRow.issued_on.desc(), PatentRow.created_at.desc())
        .limit(1)
    )


def current_patent(uow: UnitOfWork, clock: Clock, person_id: str) -> PatentView | None:
    """The person's patent as it stands today (the person only)."""
    row = current_patent_row(uow, person_id)
    return None if row is None else view_of(uow, row, moscow_date(clock.now()))


def person_needs_patent(uow: UnitOfWork, person_id: str) -> bool:
    """Whether the card says the person works and is not an EAEU citizen (policy data)."""
    card = uow.session.execute(
        select(CardRow.citizenship, CardRow.purpose)
        .join(PersonRow, PersonRow.card_number == CardRow.card_number)
        .where(PersonRow.id == person_id)
    ).first()
    return card is not None and needs_patent(card.citizenship, card.purpose)


def _check(new: NewPatent, today: date) -> None:
    number = new.number.strip()
    if not 4 <= len(number) <= 30:
        raise patent_invalid("number", "number_invalid", N_("Write the number as on the patent."))
    if new.issued_on > today:
        raise patent_invalid(
            "issued_on", "issued_in_future", N_("The date of issue cannot be in the future.")
        )
    if not regions_allowed(new.regions, new.issued_on):
        raise patent_invalid(
            "regions",
            "regions_invalid",
            N_(
                "One patent covers both Moscow and Moscow Oblast only if issued since "
                "1 September 2025."
            ),
        )
    if not 1 <= new.months_at_issue <= MAX_MONTHS:
        raise patent_invalid(
            "months_at_issue", "months_invalid", N_("A patent is issued for 1 to 12 months.")
        )
    if not inn_is_valid(new.inn):
        raise patent_invalid("inn", "inn_invalid", N_("The INN has 12 digits; check them."))
    region = region_of_oktmo(new.oktmo)
    if region is None or region not in new.regions:
        raise patent_invalid(
            "oktmo",
            "oktmo_invalid",
            N_("The OKTMO of the place of work has 8 or 11 digits and is in a patent's region."),
        )


def record_patent(uow: UnitOfWork, clock: Clock, person_id: str, new: NewPatent) -> PatentView:
    """The person records their patent from the paper (the person only)."""
    today = moscow_date(clock.now())
    _check(new, today)
    row = PatentRow(
        person_id=person_id,
        id=str(uuid.uuid4()),
        number=new.number.strip().upper(),
        regions=sorted({r.value for r in new.regions}),
        issued_on=new.issued_on,
        months_at_issue=new.months_at_issue,
        inn=new.inn,
        oktmo=new.oktmo,
        created_at=clock.now(),
    )
    uow.session.add(row)
    try:
        uow.session.flush()
    except IntegrityError as error:
        raise patent_exists() from error
    return view_of(uow, row, today)


def quote_for(uow: UnitOfWork, patent: PatentView, months: int) -> Quote:
    """The exact amount for ``months`` months paid today, refusing what cannot be paid."""
    if patent.state is PatentState.term_over:
        raise term_over()
    if patent.state is not PatentState.valid:
        raise patent_lapsed()
    most = patent.payable_months
    if most == 0:
        raise term_over()
    if not 1 <= months <= most:
        raise months_invalid(most)
    try:
        return quote(tariff_book(uow), patent.payment_region, patent.today, months)
    except NoTariff:
        raise no_tariff() from None


def next_monthly_amount(uow: UnitOfWork, patent: PatentView) -> Decimal | None:
    """What one more month costs if paid today (None when nothing can be paid)."""
    if patent.payable_months == 0:
        return None
    try:
        return tariff_book(uow).on(patent.payment_region, patent.today).amount
    except NoTariff:
        return None


def patent_for_staff(
    uow: UnitOfWork, clock: Clock, actor: Actor, person_id: str, purpose: str | Purpose
) -> PatentView | None:
    """A person's patent and its paid-until date for a case file (``patent.view``), audited.
    In the caller's transaction."""
    require(actor, Permission.patent_view)
    record_access(
        uow, clock, actor, action="patent.view", purpose=purpose, person_id=person_id, details={}
    )
    return current_patent(uow, clock, person_id)


# --- use cases: each in one transaction of its own, committed here ------------------------------


def show_patent_to_staff(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    person_id: str,
    purpose: str | Purpose,
) -> PatentView | None:
    """A person's patent in a case file (:func:`patent_for_staff`), its audit entry
    committed."""
    with uow_factory() as uow:
        found = patent_for_staff(uow, clock, actor, person_id, purpose)
        uow.commit()
    return found
