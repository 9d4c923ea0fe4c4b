"""The appointment ticket as a PDF (A4): the service, date, time, the centre's address, what to
bring, the short code and a QR of the check-in address — every label in the person's language
and in Russian, drawn with the registration slip's fonts, pen and QR (``slip.py``).

The same facts always give the same bytes (invariant mode, fixed metadata).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from amina.adapters.documents.slip import (
    ACCENT,
    MUTED,
    WARNING,
    _draw_qr,
    _draw_rows_wide,
    _Labels,
    _Pen,
    _Row,
    register_fonts,
)
from amina.i18n import N_

PAGE = (210 * mm, 297 * mm)

TITLE = N_("Appointment at the migration centre")
SUBTITLE = N_("Ticket")
LABEL_CODE = N_("Ticket code")
LABEL_NAME = N_("Surname and given names")
LABEL_SERVICE = N_("Service")
LABEL_DATE = N_("Date")
LABEL_TIME = N_("Time (Moscow)")
LABEL_ADDRESS = N_("Address")
LABEL_BRING = N_("What to bring")
SHOW_AT_ENTRANCE = N_(
    "Show this ticket at the entrance: the operator scans the QR code or types the ticket code. "
    "Come 15 minutes before your time."
)
NOT_VALID = N_("This ticket is no longer valid.")


@dataclass(frozen=True)
class TicketFacts:
    code: str  # grouped, as printed: 7KQ3-M9XD
    name_latin: str
    name_cyrillic: str | None
    service_name: str  # English message id
    day: date
    time: str  # HH:MM Moscow
    centre_name: str  # English message id
    address: str
    documents: tuple[str, ...]  # English message ids
    check_in_url: str
    language: str
    issued_on: date
    valid: bool = True


def render_ticket(facts: TicketFacts) -> bytes:
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=PAGE, invariant=1, pageCompression=1)
    stamp = f"D:{facts.issued_on:%Y%m%d}000000+00'00'"
    canvas.setDateFormatter(lambda *_parts: stamp)
    canvas.setTitle(facts.code)
    canvas.setSubject("Appointment ticket / Талон записи в ММЦ")
    canvas.setCreator("Amina")
    canvas.setProducer("Amina")
    canvas.setAuthor("Amina")
    labels = _Labels(facts.language)
    width, height = PAGE
    margin = 18 * mm
    qr_size = 50 * mm
    canvas.setFillColor(ACCENT)
    canvas.rect(0, height - 8 * mm, width, 8 * mm, stroke=0, fill=1)
    head = _Pen(canvas, margin, height - 14 * mm, width - 2 * margin - qr_size - 8 * mm)
    own, russian = labels.pair(TITLE)
    head.paragraph(own, 18, bold=True, color=ACCENT)
    if russian:
        head.paragraph(russian, 14, bold=True, color=ACCENT)
    head.gap(1 * mm)
    head.paragraph(labels.joined(facts.centre_name), 11, color=MUTED)
    head.gap(3 * mm)
    head.paragraph(labels.joined(LABEL_CODE), 9, bold=True, color=MUTED)
    head.line(facts.code, 24, bold=True)
    qr_y = height - 14 * mm - qr_size
    _draw_qr(canvas, facts.check_in_url, width - margin - qr_size, qr_y, qr_size)

    pen = _Pen(canvas, margin, min(head.y, qr_y) - 8 * mm, width - 2 * margin)
    if not facts.valid:
        pen.paragraph(labels.joined(NOT_VALID), 13, bold=True, color=WARNING)
        pen.gap(3 * mm)
    name = facts.name_latin
    if facts.name_cyrillic:
        name = f"{facts.name_latin} / {facts.name_cyrillic}"
    rows = [
        _Row(labels.pair(LABEL_NAME), (name, None), strong=True),
        _Row(labels.pair(LABEL_SERVICE), labels.pair(facts.service_name), strong=True),
        _Row(labels.pair(LABEL_DATE), labels.dates(facts.day), strong=True),
        _Row(labels.pair(LABEL_TIME), (facts.time, None), strong=True),
        _Row(labels.pair(LABEL_ADDRESS), (facts.address, None)),
    ]
    _draw_rows_wide(pen, rows, 55 * mm)
    pen.gap(3 * mm)
    pen.paragraph(labels.joined(LABEL_BRING), 11, bold=True, color=ACCENT)
    for document in facts.documents:
        own, russian = labels.pair(document)
        pen.paragraph(f"• {own}", 10)
        if russian:
            pen.paragraph(f"  {russian}", 8.5, color=MUTED)
    pen.gap(4 * mm)
    own, russian = labels.pair(SHOW_AT_ENTRANCE)
    pen.paragraph(own, 10)
    if russian:
        pen.paragraph(russian, 9, color=MUTED)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
