"""Payment intents for the patent, the provider's callbacks, and reconciliation (issue 11,
point 4).

- :func:`start_payment` opens an intent for the next N months at today's exact amount and asks
  the provider for a checkout page. Only one intent per patent and first month may be pending
  or succeeded (a partial unique index): two payments of the same months cannot both go through.
- :func:`settle` applies what the provider reports (a callback, or an answer to
  :func:`reconcile_pending`). The payment row is locked, so a callback that arrives twice at
  once is applied once. A report for a payment already settled changes nothing and is flagged;
  money that arrived but cannot count (a differing amount, a payment after the last paid day,
  a late success for an expired intent) is flagged and refunded after commit.
- Intents expire after a few minutes and always before Moscow midnight, so the tariff of the
  day the amount was quoted is the tariff of the day it is paid.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from amina.adapters.db.patent.tables import PatentPaymentEventRow, PatentPaymentRow, PatentRow
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.domain.calendar import MOSCOW, moscow_date
from amina.domain.patent import (
    KBK,
    Payment,
    PaymentEffect,
    Region,
    months_covered,
    period,
    validity,
)
from amina.domain.slip import RANDOM_BYTES, slip_code_from
from amina.services.clock import Clock
from amina.services.delivery.inbox import tell
from amina.services.patent import messages
from amina.services.patent.errors import (
    patent_not_recorded,
    payment_not_found,
    payment_pending,
    payments_unavailable,
)
from amina.services.patent.patents import (
    PatentView,
    current_patent,
    quote_for,
    succeeded_payments,
    view_of,
)
from amina.services.patent.tariffs import tariff_book
from amina.services.ports import (
    PaymentOrder,
    PaymentProvider,
    PaymentUnavailable,
    ProviderReport,
    ProviderState,
)

#: How long a checkout stays open (never past Moscow midnight).
INTENT_MINUTES = 30


@dataclass(frozen=True)
class PatentPayment:
    id: str
    patent_id: str
    patent_number: str
    first_period: int
    months: int
    monthly: Decimal
    amount: Decimal
    status: str
    covers_from: date
    covers_to: date
    tariff_year: int
    tariff_region: str
    created_at: datetime
    expires_at: datetime
    paid_at: datetime | None
    checkout_url: str | None
    verification_code: str
    provider: str
    provider_ref: str | None
    flag: str | None

    @property
    def has_receipt(self) -> bool:
        return self.status == "succeeded"


def _payment(row: PatentPaymentRow, patent: PatentRow) -> PatentPayment:
    covered = months_covered(patent.issued_on, row.first_period - 1, row.months)
    return PatentPayment(
        id=row.id,
        patent_id=row.patent_id,
        patent_number=patent.number,
        first_period=row.first_period,
        months=row.months,
        monthly=Decimal(row.monthly),
        amount=Decimal(row.amount),
        status=row.status,
        covers_from=covered[0].start,
        covers_to=covered[-1].end,
        tariff_year=row.tariff_year,
        tariff_region=row.tariff_region,
        created_at=row.created_at,
        expires_at=row.expires_at,
        paid_at=row.paid_at,
        checkout_url=row.checkout_url,
        verification_code=row.verification_code,
        provider=row.provider,
        provider_ref=row.provider_ref,
        flag=row.flag,
    )


def _event(
    uow: UnitOfWork,
    clock: Clock,
    row: PatentPaymentRow,
    kind: str,
    *,
    flagged: bool = False,
    details: Mapping[str, Any] | None = None,
) -> None:
    uow.session.add(
        PatentPaymentEventRow(
            person_id=row.person_id,
            id=str(uuid.uuid4()),
            payment_id=row.id,
            kind=kind,
            flagged=flagged,
            details=dict(details or {}),
            occurred_at=clock.now(),
        )
    )


def _expiry(now: datetime, minutes: int) -> datetime:
    local = now.astimezone(MOSCOW)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), MOSCOW)
    return min(now + timedelta(minutes=minutes), midnight - timedelta(seconds=1))


def start_payment(
    uow: UnitOfWork,
    clock: Clock,
    provider: PaymentProvider,
    person_id: str,
    months: int,
    *,
    return_url: str,
    minutes: int = INTENT_MINUTES,
) -> PatentPayment:
    """Open a payment of the next ``months`` months of the person's patent (the person only).

    Pending intents of the patent past their expiry are closed first, so an abandoned checkout
    does not hold the months once it has expired.
    """
    patent = current_patent(uow, clock, person_id)
    if patent is None:
        raise patent_not_recorded()
    for stale in uow.session.scalars(
        select(PatentPaymentRow).where(
            PatentPaymentRow.person_id == person_id,
            PatentPaymentRow.patent_id == patent.id,
            PatentPaymentRow.status == "pending",
            PatentPaymentRow.expires_at <= clock.now(),
        )
    ):
        _close_expired(uow, clock, stale)
    uow.session.flush()
    patent = current_patent(uow, clock, person_id)
    assert patent is not None
    priced = quote_for(uow, patent, months)
    now = clock.now()
    row = PatentPaymentRow(
        person_id=person_id,
        id=str(uuid.uuid4()),
        patent_id=patent.id,
        first_period=patent.validity.months_paid + 1,
        months=months,
        monthly=str(priced.monthly),
        amount=str(priced.total),
        tariff_year=priced.tariff.year,
        tariff_region=priced.tariff.region.value,
        tariff_version=priced.tariff.version,
        status="pending",
        provider=provider.name,
        provider_ref=None,
        checkout_url=None,
        verification_code=slip_code_from(secrets.token_bytes(RANDOM_BYTES)),
        created_at=now,
        expires_at=_expiry(now, minutes),
        paid_at=None,
        settled_at=None,
        flag=None,
    )
    uow.session.add(row)
    try:
        uow.session.flush()
    except IntegrityError as error:
        raise payment_pending() from error
    covered = months_covered(patent.issued_on, row.first_period - 1, months)
    try:
        checkout = provider.create_payment(
            PaymentOrder(
                payment_id=row.id,
                amount=priced.total,
                description=(
                    f"НДФЛ, фиксированный авансовый платёж, патент {patent.number}, "
                    f"{covered[0].start.isoformat()} – {covered[-1].end.isoformat()}"
                ),
                payer_inn=patent.inn,
                kbk=KBK,
                oktmo=patent.oktmo,
                expires_at=row.expires_at,
                return_url=f"{return_url}?payment={row.id}",
            )
        )
    except PaymentUnavailable:
        raise payments_unavailable() from None
    row.provider_ref = checkout.provider_ref
    row.checkout_url = checkout.checkout_url
    _event(uow, clock, row, "created", details={"months": months, "amount": row.amount})
    patent_row = uow.session.get(PatentRow, (person_id, patent.id))
    assert patent_row is not None
    return _payment(row, patent_row)


def payments_of(uow: UnitOfWork, person_id: str) -> list[PatentPayment]:
    """Every payment of the person's patents, newest first (the person only)."""
    rows = uow.session.execute(
        select(PatentPaymentRow, PatentRow)
        .join(
            PatentRow,
            (PatentRow.person_id == PatentPaymentRow.person_id)
            & (PatentRow.id == PatentPaymentRow.patent_id),
        )
        .where(PatentPaymentRow.person_id == person_id)
        .order_by(PatentPaymentRow.created_at.desc(), PatentPaymentRow.id)
    ).all()
    return [_payment(payment, patent) for payment, patent in rows]


def payment_of(uow: UnitOfWork, person_id: str, payment_id: str) -> PatentPayment:
    for payment in payments_of(uow, person_id):
        if payment.id == payment_id:
            return payment
    raise payment_not_found()


@dataclass(frozen=True)
class PaymentCheck:
    """What an employer sees when checking a receipt's code: minimal data, no name."""

    paid: bool
    status: str
    patent_number_end: str
    covers_from: date
    covers_to: date
    amount: Decimal
    paid_on: date | None


def check_payment(uow: UnitOfWork, code: str) -> PaymentCheck | None:
    """The payment with this verification code, as an employer may see it (public)."""
    row = uow.session.scalar(
        select(PatentPaymentRow).where(PatentPaymentRow.verification_code == code).limit(1)
    )
    if row is None:
        return None
    patent = uow.session.get(PatentRow, (row.person_id, row.patent_id))
    assert patent is not None
    shown = _payment(row, patent)
    return PaymentCheck(
        paid=row.status == "succeeded",
        status=row.status,
        patent_number_end=patent.number[-4:],
        covers_from=shown.covers_from,
        covers_to=shown.covers_to,
        amount=shown.amount,
        paid_on=moscow_date(row.paid_at) if row.paid_at else None,
    )


# --- what the provider reports ---------------------------------------------------------------


@dataclass(frozen=True)
class Settled:
    """What a report did: ``applied`` (it changed the payment), ``ignored`` (duplicate or late,
    flagged), ``flagged`` (money that cannot count), ``unknown`` (no such payment)."""

    outcome: str
    status: str | None = None


_FINAL = {
    ProviderState.succeeded: "succeeded",
    ProviderState.failed: "failed",
    ProviderState.expired: "expired",
    ProviderState.refunded: "refunded",
}


def _refund_later(
    uow: UnitOfWork, clock: Clock, provider: PaymentProvider, row: PatentPaymentRow
) -> None:
    ref, amount = row.provider_ref, Decimal(row.amount)
    if ref is None:
        return
    _event(uow, clock, row, "refund_requested", flagged=True)
    uow.after_commit(lambda: provider.refund(ref, amount))


def _lock(uow: UnitOfWork, payment_id: str) -> PatentPaymentRow | None:
    """The payment, locked for update. The provider names it by id alone: its person is read
    first, so that the lock is taken on one shard of a distributed database
    (docs/scale-out.md)."""
    person_id = uow.session.scalar(
        select(PatentPaymentRow.person_id).where(PatentPaymentRow.id == payment_id)
    )
    if person_id is None:
        return None
    return uow.session.scalar(
        select(PatentPaymentRow)
        .where(PatentPaymentRow.person_id == person_id, PatentPaymentRow.id == payment_id)
        .with_for_update()
    )


def settle(
    uow: UnitOfWork, clock: Clock, provider: PaymentProvider, report: ProviderReport
) -> Settled:
    """Apply the provider's report on a payment, once (the system, from a verified callback or
    from reconciliation). In the caller's transaction."""
    row = _lock(uow, report.payment_id)
    if row is None or row.provider_ref != report.provider_ref:
        return Settled("unknown")
    return _apply(uow, clock, provider, row, report)


def _apply(
    uow: UnitOfWork,
    clock: Clock,
    provider: PaymentProvider,
    row: PatentPaymentRow,
    report: ProviderReport,
    source: str = "callback",
) -> Settled:
    details = {
        "source": source,
        "state": report.state.value,
        "amount": None if report.amount is None else str(report.amount),
    }
    if row.status != "pending":
        repeated = _FINAL.get(report.state) == row.status
        _event(
            uow,
            clock,
            row,
            "duplicate_report" if repeated else "late_report",
            flagged=True,
            details=details,
        )
        if report.state is ProviderState.succeeded and row.status in ("failed", "expired"):
            _refund_later(uow, clock, provider, row)
        return Settled("ignored", row.status)
    if report.state is ProviderState.pending:
        return Settled("ignored", row.status)
    now = clock.now()
    if report.state is not ProviderState.succeeded:
        row.status = _FINAL[report.state]
        row.settled_at = now
        _event(uow, clock, row, report.state.value, details=details)
        return Settled("applied", row.status)
    patent = uow.session.get(PatentRow, (row.person_id, row.patent_id))
    assert patent is not None
    paid_at = report.paid_at or now
    flag = _why_it_cannot_count(uow, row, patent, report, moscow_date(paid_at))
    row.paid_at = paid_at
    row.settled_at = now
    before = view_of(uow, patent, moscow_date(now)).validity
    if flag is not None:
        row.status = "flagged"
        row.flag = flag
        _event(uow, clock, row, "flagged", flagged=True, details={**details, "flag": flag})
        _refund_later(uow, clock, provider, row)
        tell(
            uow,
            clock,
            row.person_id,
            messages.PATENT_PAYMENT_FLAGGED,
            {"paid_until": before.paid_until.isoformat()},
            subject_id=row.id,
        )
        return Settled("flagged", row.status)
    row.status = "succeeded"
    _event(uow, clock, row, "succeeded", details=details)
    uow.session.flush()
    after = view_of(uow, patent, moscow_date(now)).validity
    tell(
        uow,
        clock,
        row.person_id,
        messages.PATENT_PAID,
        {"months": row.months, "paid_until": after.paid_until.isoformat()},
        subject_id=row.id,
    )
    return Settled("applied", row.status)


def _why_it_cannot_count(
    uow: UnitOfWork,
    row: PatentPaymentRow,
    patent: PatentRow,
    report: ProviderReport,
    paid_on: date,
) -> str | None:
    if report.amount is None or report.amount != Decimal(row.amount):
        return "amount_mismatch"
    try:
        in_force = tariff_book(uow).on(Region(row.tariff_region), paid_on)
    except LookupError:
        return "tariff_changed"
    if in_force.amount != Decimal(row.monthly):
        return "tariff_changed"
    earlier = succeeded_payments(uow, row.person_id, row.patent_id)
    if sum(p.months for p in earlier) + patent.months_at_issue + 1 != row.first_period:
        return "months_taken"
    effect = validity(
        patent.issued_on,
        patent.months_at_issue,
        [*earlier, Payment(row.id, paid_on, row.months)],
    ).effects[row.id]
    return None if effect is PaymentEffect.extended else effect.value


# --- reconciliation --------------------------------------------------------------------------


def _close_expired(uow: UnitOfWork, clock: Clock, row: PatentPaymentRow) -> Settled:
    """An intent past its expiry with nothing heard: closed (money arriving later is refunded)."""
    row.status = "expired"
    row.settled_at = clock.now()
    _event(uow, clock, row, "expired", details={"source": "expiry"})
    return Settled("applied", row.status)


@dataclass(frozen=True)
class Reconciliation:
    checked: int
    applied: int


def reconcile_pending(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    provider: PaymentProvider,
    older_than: timedelta = timedelta(minutes=5),
) -> Reconciliation:
    """Ask the provider about every intent pending for longer than ``older_than`` and settle it
    (the system's job). The provider is asked outside any transaction; one unit of work per
    intent."""
    cutoff = clock.now() - older_than
    with uow_factory() as uow:
        stuck = [
            (row.id, row.provider_ref)
            for row in uow.session.scalars(
                select(PatentPaymentRow).where(
                    PatentPaymentRow.status == "pending", PatentPaymentRow.created_at <= cutoff
                )
            )
        ]
    applied = 0
    for payment_id, ref in stuck:
        report: ProviderReport | None = None
        if ref is not None:
            try:
                report = provider.status(ref)
            except PaymentUnavailable:
                continue
        with uow_factory() as uow:
            row = _lock(uow, payment_id)
            if row is None or row.status != "pending":
                continue
            expired = row.expires_at <= clock.now()
            if report is None or (report.state is ProviderState.pending and expired):
                done = _close_expired(uow, clock, row) if expired else Settled("ignored")
            else:
                done = _apply(uow, clock, provider, row, report, source="reconciliation")
            if done.outcome != "ignored":
                applied += 1
            uow.commit()
    return Reconciliation(len(stuck), applied)


def paid_until_after(patent: PatentView, payment: PatentPayment) -> date:
    """The last paid day once this payment counts."""
    return period(patent.issued_on, payment.first_period + payment.months - 1).end


# --- use cases: each in one transaction of its own, committed here ------------------------------


def apply_provider_report(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    provider: PaymentProvider,
    report: ProviderReport,
) -> Settled:
    """The system applies a verified provider callback (:func:`settle`)."""
    with uow_factory() as uow:
        settled = settle(uow, clock, provider, report)
        uow.commit()
    return settled
