"""The patent payment's receipt as a PDF (issue 11, point 5), drawn like the registration slip
(``slip.py``: Noto fonts chosen per script, labels in the person's language and in Russian, a
vector QR code, the same facts always giving the same bytes).

It prints the payer, the INN, the KBK, the OKTMO, the period covered, the amount, the
provider's reference and a QR code that opens the payment's status page for an employer.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from amina.adapters.documents.slip import (
    ACCENT,
    MUTED,
    PAGE_SIZES,
    SlipFormat,
    _draw_qr,
    _draw_rows_wide,
    _Labels,
    _Pen,
    _Row,
    register_fonts,
)
from amina.i18n import N_

TITLE = N_("Work patent: payment receipt")
SUBTITLE = N_("Fixed advance payment of personal income tax (Tax Code art. 227.1)")
LABEL_PAYER = N_("Payer")
LABEL_INN = N_("Payer's INN")
LABEL_PATENT = N_("Patent number")
LABEL_KBK = N_("Budget classification code (KBK)")
LABEL_OKTMO = N_("OKTMO of the place of work")
LABEL_PERIOD = N_("Period covered")
LABEL_MONTHS = N_("Months paid")
LABEL_AMOUNT = N_("Amount")
AMOUNT = N_("%(amount)s RUB")
LABEL_PAID_ON = N_("Date of payment")
LABEL_REFERENCE = N_("Payment reference")
LABEL_CODE = N_("Verification code")
HOW_TO_CHECK = N_(
    "An employer can check this payment: scan the QR code or enter the verification code at %(url)s"
)
SANDBOX_NOTE = N_("Test payment (sandbox): no money was transferred.")


@dataclass(frozen=True)
class ReceiptFacts:
    payer_latin: str
    payer_cyrillic: str | None
    inn: str
    patent_number: str
    kbk: str
    oktmo: str
    covers_from: date
    covers_to: date
    months: int
    amount: Decimal
    paid_on: date
    reference: str
    verification_code: str  # grouped, as printed
    check_url: str
    language: str
    sandbox: bool = False


def _money(amount: Decimal) -> str:
    return f"{amount:,.0f}".replace(",", "\u00a0")


def _rows(facts: ReceiptFacts, labels: _Labels) -> list[_Row]:
    payer = facts.payer_latin
    if facts.payer_cyrillic:
        payer = f"{facts.payer_latin} / {facts.payer_cyrillic}"
    return [
        _Row(labels.pair(LABEL_PAYER), (payer, None), strong=True),
        _Row(labels.pair(LABEL_INN), (facts.inn, None)),
        _Row(labels.pair(LABEL_PATENT), (facts.patent_number, None)),
        _Row(labels.pair(LABEL_PERIOD), labels.period(facts.covers_from, facts.covers_to)),
        _Row(labels.pair(LABEL_MONTHS), (str(facts.months), None)),
        _Row(labels.pair(LABEL_AMOUNT), labels.pair(AMOUNT, amount=_money(facts.amount)), True),
        _Row(labels.pair(LABEL_PAID_ON), labels.dates(facts.paid_on)),
        _Row(labels.pair(LABEL_KBK), (facts.kbk, None)),
        _Row(labels.pair(LABEL_OKTMO), (facts.oktmo, None)),
        _Row(labels.pair(LABEL_REFERENCE), (facts.reference, None)),
    ]


def render_receipt(facts: ReceiptFacts) -> bytes:
    """The receipt as one A4 page of PDF."""
    register_fonts()
    buffer = io.BytesIO()
    width, height = PAGE_SIZES[SlipFormat.a4]
    canvas = Canvas(buffer, pagesize=(width, height), invariant=1, pageCompression=1)
    paid = facts.paid_on
    stamp = f"D:{paid.year:04d}{paid.month:02d}{paid.day:02d}000000+00'00'"
    canvas.setDateFormatter(lambda *_parts: stamp)
    canvas.setTitle(f"{facts.patent_number} {facts.covers_from.isoformat()}")
    canvas.setSubject("Patent payment receipt / Квитанция об оплате патента")
    canvas.setCreator("Amina")
    canvas.setProducer("Amina")
    canvas.setAuthor("Amina")
    labels = _Labels(facts.language)
    margin, qr_size = 18 * mm, 45 * mm
    canvas.setFillColor(ACCENT)
    canvas.rect(0, height - 8 * mm, width, 8 * mm, stroke=0, fill=1)
    head = _Pen(canvas, margin, height - 14 * mm, width - 2 * margin - qr_size - 8 * mm)
    own, russian = labels.pair(TITLE)
    head.paragraph(own, 17, bold=True, color=ACCENT)
    if russian:
        head.paragraph(russian, 13, bold=True, color=ACCENT)
    head.gap(1 * mm)
    head.paragraph(labels.joined(SUBTITLE), 9, color=MUTED)
    head.gap(3 * mm)
    head.paragraph(labels.joined(LABEL_CODE), 9, bold=True, color=MUTED)
    head.line(facts.verification_code, 18, bold=True)
    qr_y = height - 14 * mm - qr_size
    _draw_qr(canvas, facts.check_url, width - margin - qr_size, qr_y, qr_size)
    pen = _Pen(canvas, margin, min(head.y, qr_y) - 8 * mm, width - 2 * margin)
    if facts.sandbox:
        pen.paragraph(labels.joined(SANDBOX_NOTE), 11, bold=True, color=MUTED)
        pen.gap(2 * mm)
    _draw_rows_wide(pen, _rows(facts, labels), 60 * mm)
    pen.gap(4 * mm)
    own, russian = labels.pair(HOW_TO_CHECK, url=facts.check_url.split("?", 1)[0])
    pen.paragraph(own, 10)
    if russian:
        pen.paragraph(russian, 9, color=MUTED)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
