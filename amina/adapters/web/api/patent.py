"""The work patent's payment (API.md "Patent payment and appointments"; issue 11).

- ``GET /api/v1/me/patent`` — the patent, paid-until date, next payment and last day to pay.
- ``POST /api/v1/me/patent`` — record the patent from the paper (``Idempotency-Key``).
- ``GET /api/v1/me/patent/quote?months=N`` — the exact amount with the tariff row and source.
- ``POST /api/v1/me/patent/payments`` — ``{"months": N}`` (``Idempotency-Key``) → an intent
  with the provider's checkout URL.
- ``GET /api/v1/me/patent/payments``, ``GET /api/v1/me/patent/payments/{id}/receipt.pdf``.
- ``POST /api/v1/payments/{provider}/callback`` — the provider's signed callback.
- ``GET /api/v1/patent-payments/check?code=`` — public: an employer checks a receipt's code.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from amina.adapters.db.patent.tables import PatentRow
from amina.adapters.db.uow import UnitOfWork
from amina.adapters.documents.receipt import ReceiptFacts, render_receipt
from amina.adapters.web.api.person_auth import current_person
from amina.adapters.web.context import container_of
from amina.adapters.web.idempotency import answer_response, idempotency_key, idempotent_request
from amina.bootstrap import Container
from amina.domain.calendar import moscow_date
from amina.domain.patent import KBK, Region, Tariff, months_covered
from amina.domain.slip import grouped, normalise
from amina.services.idempotency import Answer, run_once
from amina.services.identity.sessions import SignedInPerson
from amina.services.patent.errors import (
    callback_invalid,
    patent_not_recorded,
    payment_not_found,
    receipt_not_ready,
)
from amina.services.patent.patents import (
    NewPatent,
    PatentView,
    current_patent,
    next_monthly_amount,
    person_needs_patent,
    quote_for,
    record_patent,
)
from amina.services.patent.payments import (
    PatentPayment,
    apply_provider_report,
    check_payment,
    payment_of,
    payments_of,
    start_payment,
)
from amina.services.ports import InvalidCallback
from amina.services.registration.registrations import holder

router = APIRouter(tags=["patent"])

CURRENCY = "RUB"


# --- shapes ----------------------------------------------------------------------------------


class TariffOut(BaseModel):
    year: int
    region: Region
    version: int
    base: Decimal
    deflator: Decimal
    coefficient: Decimal
    amount: Decimal
    effective_from: date
    source: str
    verified: bool = Field(description="False: the coefficient is not confirmed from the law")


def tariff_out(tariff: Tariff) -> TariffOut:
    return TariffOut(
        year=tariff.year,
        region=tariff.region,
        version=tariff.version,
        base=tariff.base,
        deflator=tariff.deflator,
        coefficient=tariff.coefficient,
        amount=tariff.amount,
        effective_from=tariff.effective_from,
        source=tariff.source,
        verified=tariff.verified,
    )


class PatentOut(BaseModel):
    id: str
    number: str
    regions: list[Region]
    issued_on: date
    months_paid: int = Field(description="Months paid in all, counted from the date of issue")
    paid_until: date = Field(description="The last paid day; the patent ends the day after")
    days_left: int = Field(description="Days the patent still covers, today included")
    state: Literal["valid", "lapsed", "term_over", "not_started"]
    next_payment_amount: Decimal | None = Field(description="One more month, if paid today")
    currency: str = CURRENCY
    last_day_to_pay: date | None = Field(
        description="The last day a payment for the next month is on time (no grace day)"
    )
    months_payable: int = Field(description="How many months can be paid today (0 to 11)")
    inn: str
    oktmo: str
    payment_region: Region


class MyPatentOut(BaseModel):
    needed: bool = Field(description="Whether the card says the person needs a work patent")
    patent: PatentOut | None


def patent_out(uow: UnitOfWork, patent: PatentView) -> PatentOut:
    validity = patent.validity
    return PatentOut(
        id=patent.id,
        number=patent.number,
        regions=list(patent.regions),
        issued_on=patent.issued_on,
        months_paid=validity.months_paid,
        paid_until=validity.paid_until,
        days_left=validity.days_left(patent.today),
        state=patent.state.value,
        next_payment_amount=next_monthly_amount(uow, patent),
        last_day_to_pay=validity.last_day_to_pay() if patent.payable_months else None,
        months_payable=patent.payable_months,
        inn=patent.inn,
        oktmo=patent.oktmo,
        payment_region=patent.payment_region,
    )


class PatentIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    number: Annotated[str, Field(min_length=4, max_length=30, examples=["77 2500123456"])]
    regions: Annotated[list[Region], Field(min_length=1, max_length=2)]
    issued_on: date
    months_at_issue: Annotated[int, Field(ge=1, le=12, description="Months paid before issue")]
    inn: Annotated[str, Field(pattern=r"^[0-9]{12}$", examples=["500100732259"])]
    oktmo: Annotated[str, Field(pattern=r"^([0-9]{8}|[0-9]{11})$", examples=["45382000"])]


class QuoteOut(BaseModel):
    months: int
    monthly: Decimal
    total: Decimal
    currency: str = CURRENCY
    paid_on: date = Field(description="The day the amount is for (today, Moscow)")
    covers_from: date
    covers_to: date
    tariff: TariffOut


class PaymentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    months: Annotated[int, Field(ge=1, le=12)]


class PaymentOut(BaseModel):
    id: str
    status: Literal["pending", "succeeded", "failed", "expired", "flagged", "refunded"]
    months: int
    monthly: Decimal
    amount: Decimal
    currency: str = CURRENCY
    covers_from: date
    covers_to: date
    created_at: datetime
    expires_at: datetime
    paid_at: datetime | None
    checkout_url: str | None = Field(description="Where to pay, while pending")
    receipt_url: str | None
    flag: str | None = Field(description="Why money that arrived could not count")


def payment_out(payment: PatentPayment) -> PaymentOut:
    return PaymentOut(
        id=payment.id,
        status=payment.status,
        months=payment.months,
        monthly=payment.monthly,
        amount=payment.amount,
        covers_from=payment.covers_from,
        covers_to=payment.covers_to,
        created_at=payment.created_at,
        expires_at=payment.expires_at,
        paid_at=payment.paid_at,
        checkout_url=payment.checkout_url if payment.status == "pending" else None,
        receipt_url=f"/api/v1/me/patent/payments/{payment.id}/receipt.pdf"
        if payment.has_receipt
        else None,
        flag=payment.flag,
    )


class PaymentCheckOut(BaseModel):
    paid: bool
    status: str
    patent_number_end: str = Field(description="The last 4 characters of the patent number")
    covers_from: date
    covers_to: date
    amount: Decimal
    paid_on: date | None


# --- the person's endpoints ------------------------------------------------------------------


@router.get("/api/v1/me/patent", response_model=MyPatentOut)
def my_patent(request: Request, person: SignedInPerson = Depends(current_person)) -> MyPatentOut:
    """The person's patent as it stands today: paid until, days left, the next payment's amount
    and the last day to pay (``patent`` is null until the person records one)."""
    container = container_of(request)
    with container.uow() as uow:
        needed = person_needs_patent(uow, person.person_id)
        patent = current_patent(uow, container.clock, person.person_id)
        shown = None if patent is None else patent_out(uow, patent)
    return MyPatentOut(needed=needed, patent=shown)


@router.post(
    "/api/v1/me/patent",
    status_code=201,
    response_model=PatentOut,
    responses={409: {"description": "patent_exists"}, 422: {"description": "patent_invalid"}},
)
def record_endpoint(
    body: PatentIn,
    request: Request,
    person: SignedInPerson = Depends(current_person),
    key: str | None = Depends(idempotency_key),
) -> JSONResponse:
    """Record the work patent from the paper: number, regions, date of issue, months paid
    before issue, the INN and the OKTMO of the place of work."""
    container = container_of(request)
    new = NewPatent(
        body.number,
        tuple(body.regions),
        body.issued_on,
        body.months_at_issue,
        body.inn,
        body.oktmo,
    )

    def create(uow: UnitOfWork) -> Answer:
        patent = record_patent(uow, container.clock, person.person_id, new)
        return Answer(201, patent_out(uow, patent).model_dump(mode="json"))

    request_ = idempotent_request(
        request, f"person:{person.person_id}", key, body.model_dump(mode="json")
    )
    return answer_response(run_once(container.uow, container.clock, request_, create))


@router.get(
    "/api/v1/me/patent/quote",
    response_model=QuoteOut,
    responses={
        404: {"description": "patent_not_recorded"},
        409: {"description": "patent_lapsed, patent_term_over"},
        422: {"description": "patent_months_invalid"},
    },
)
def quote_endpoint(
    request: Request,
    months: Annotated[int, Query(ge=1, le=12)],
    person: SignedInPerson = Depends(current_person),
) -> QuoteOut:
    """The exact amount for ``months`` months paid today, with the tariff row it comes from
    and that row's legal source."""
    container = container_of(request)
    with container.uow() as uow:
        patent = current_patent(uow, container.clock, person.person_id)
        if patent is None:
            raise patent_not_recorded()
        priced = quote_for(uow, patent, months)
    covered = months_covered(patent.issued_on, patent.validity.months_paid, months)
    return QuoteOut(
        months=months,
        monthly=priced.monthly,
        total=priced.total,
        paid_on=priced.paid_on,
        covers_from=covered[0].start,
        covers_to=covered[-1].end,
        tariff=tariff_out(priced.tariff),
    )


@router.post(
    "/api/v1/me/patent/payments",
    status_code=201,
    response_model=PaymentOut,
    responses={
        404: {"description": "patent_not_recorded"},
        409: {
            "description": "patent_payment_pending (these months are being paid), "
            "patent_lapsed, patent_term_over, idempotency_key_reused"
        },
        422: {"description": "patent_months_invalid"},
        503: {"description": "payments_unavailable"},
    },
)
def pay_endpoint(
    body: PaymentIn,
    request: Request,
    person: SignedInPerson = Depends(current_person),
    key: str | None = Depends(idempotency_key),
) -> JSONResponse:
    """Open a payment of the next ``months`` months; pay at ``checkout_url``."""
    container = container_of(request)
    return_url = container.settings.public_url("/app/patent-return")

    def create(uow: UnitOfWork) -> Answer:
        payment = start_payment(
            uow,
            container.clock,
            container.payments,
            person.person_id,
            body.months,
            return_url=return_url,
            minutes=container.settings.payment_intent_minutes,
        )
        return Answer(201, payment_out(payment).model_dump(mode="json"))

    request_ = idempotent_request(
        request, f"person:{person.person_id}", key, body.model_dump(mode="json")
    )
    return answer_response(run_once(container.uow, container.clock, request_, create))


@router.get("/api/v1/me/patent/payments", response_model=list[PaymentOut])
def payments_endpoint(
    request: Request, person: SignedInPerson = Depends(current_person)
) -> list[PaymentOut]:
    """Every payment, newest first, with its receipt once it has gone through."""
    container = container_of(request)
    with container.uow() as uow:
        return [payment_out(p) for p in payments_of(uow, person.person_id)]


def receipt_facts(container: Container, person_id: str, payment_id: str) -> ReceiptFacts:
    with container.uow() as uow:
        payment = payment_of(uow, person_id, payment_id)
        payer = holder(uow, person_id)
        row = uow.session.get(PatentRow, (person_id, payment.patent_id))
        if not payment.has_receipt or payment.paid_at is None:
            raise receipt_not_ready()
        if payer is None or row is None:
            raise payment_not_found()
        inn, number, oktmo = row.inn, row.number, row.oktmo
    reference = payment.provider_ref or payment.id
    return ReceiptFacts(
        payer_latin=payer.name_latin,
        payer_cyrillic=f"{payer.surname_cyr} {payer.given_names_cyr}".strip() or None,
        inn=inn,
        patent_number=number,
        kbk=KBK,
        oktmo=oktmo,
        covers_from=payment.covers_from,
        covers_to=payment.covers_to,
        months=payment.months,
        amount=payment.amount,
        paid_on=moscow_date(payment.paid_at),
        reference=f"{payment.provider}:{reference[-32:]}",
        verification_code=grouped(payment.verification_code),
        check_url=container.settings.public_url(f"/patent/check?code={payment.verification_code}"),
        language=payer.language,
        sandbox=payment.provider == "sandbox",
    )


@router.get(
    "/api/v1/me/patent/payments/{payment_id}/receipt.pdf",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "The receipt"},
        404: {"description": "patent_payment_not_found"},
        409: {"description": "patent_receipt_not_ready"},
    },
)
def receipt_endpoint(
    payment_id: str, request: Request, person: SignedInPerson = Depends(current_person)
) -> Response:
    """The receipt (PDF with a QR code) in the person's language and Russian."""
    pdf = render_receipt(receipt_facts(container_of(request), person.person_id, payment_id))
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="patent-receipt-{payment_id[:8]}.pdf"',
            "ETag": '"' + hashlib.sha256(pdf).hexdigest()[:32] + '"',
            "Cache-Control": "private, no-cache",
        },
    )


# --- the provider and the employer -----------------------------------------------------------


def receive_callback(container: Container, body: bytes, signature: str | None) -> str:
    """Verify and apply one provider callback; returns what it did (applied, ignored…)."""
    try:
        report = container.payments.verify_callback(body, signature)
    except InvalidCallback:
        raise callback_invalid() from None
    return apply_provider_report(container.uow, container.clock, container.payments, report).outcome


@router.post(
    "/api/v1/payments/{provider}/callback",
    responses={
        200: {"description": "Received: {'outcome': 'applied' | 'ignored' | 'flagged' | …}"},
        400: {"description": "payment_callback_invalid (signature)"},
        404: {"description": "not_found (another provider)"},
    },
)
async def callback_endpoint(provider: str, request: Request) -> dict[str, Any]:
    """The payment provider's callback, signed (``X-Payment-Signature``: HMAC-SHA256 of the
    body). A callback that arrives twice or late changes nothing and is flagged."""
    container = container_of(request)
    if provider != container.payments.name:
        raise payment_not_found()
    body = await request.body()
    signature = request.headers.get("X-Payment-Signature")
    outcome = await run_in_threadpool(receive_callback, container, body, signature)
    return {"outcome": outcome}


@router.get(
    "/api/v1/patent-payments/check",
    response_model=PaymentCheckOut,
    responses={404: {"description": "patent_payment_not_found"}},
)
def check_endpoint(
    request: Request, code: Annotated[str, Query(min_length=8, max_length=40)]
) -> PaymentCheckOut:
    """Public: whether the payment with this receipt's verification code went through, and the
    period it covers (no name, no INN)."""
    container = container_of(request)
    with container.uow() as uow:
        typed = normalise(code)
        found = None if typed is None else check_payment(uow, typed)
    if found is None:
        raise payment_not_found()
    return PaymentCheckOut(
        paid=found.paid,
        status=found.status,
        patent_number_end=found.patent_number_end,
        covers_from=found.covers_from,
        covers_to=found.covers_to,
        amount=found.amount,
        paid_on=found.paid_on,
    )
