"""The registration slip as a PDF: A4 for printing, and a narrow page for a phone's screen.

It replaces the tear-off part of the paper notification (SPEC §5). Every label is printed in
the person's language and in Russian; values are printed as registered (the address in
Russian). The QR code opens the host verification page for this slip.

Text is set in Debian's Noto fonts (``fonts-noto-core``), choosing the font for each run of
text by its script: Noto Sans Armenian for Armenian, Noto Sans Georgian for Georgian, Noto Sans
for everything else (Latin, Cyrillic). Missing fonts are an error, never a fallback to a font
that would print boxes.

The same facts always give the same bytes: fixed metadata, the creation date set to the date of
issue, ReportLab's invariant mode (no random document id), and the QR drawn as vector squares.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cache
from pathlib import Path

import segno
from reportlab.lib.colors import Color, HexColor, black, white
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from amina.i18n import N_, Translator

FONT_DIR = Path("/usr/share/fonts/truetype/noto")


class Script(StrEnum):
    armenian = "armenian"
    georgian = "georgian"
    general = "general"  # Latin, Cyrillic, digits and punctuation


#: script -> (regular file, bold file) in :data:`FONT_DIR`
FONT_FILES: dict[Script, tuple[str, str]] = {
    Script.general: ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    Script.armenian: ("NotoSansArmenian-Regular.ttf", "NotoSansArmenian-Bold.ttf"),
    Script.georgian: ("NotoSansGeorgian-Regular.ttf", "NotoSansGeorgian-Bold.ttf"),
}


class SlipFontsMissing(RuntimeError):
    """The Noto fonts the slip needs are not installed."""


class SlipFormat(StrEnum):
    a4 = "a4"
    phone = "phone"


PAGE_SIZES: dict[SlipFormat, tuple[float, float]] = {
    SlipFormat.a4: (210 * mm, 297 * mm),
    SlipFormat.phone: (90 * mm, 160 * mm),
}

# --- labels (English ids; printed in the person's language and in Russian) ----------------

TITLE = N_("Registration of the place of stay")
SUBTITLE = N_("Registration slip")
LABEL_NUMBER = N_("Registration number")
LABEL_NAME = N_("Surname and given names")
LABEL_ADDRESS = N_("Address")
LABEL_HOST = N_("Host")
LABEL_STAY = N_("Period of stay")
LABEL_PURPOSE = N_("Purpose of stay")
LABEL_DEPENDANTS = N_("Children covered")
LABEL_ISSUED = N_("Date of issue")
LABEL_CODE = N_("Slip code")
STAY_PERIOD = N_("%(start)s – %(end)s")
HOW_TO_VERIFY = N_(
    "The host can check this registration: scan the QR code or enter the slip code at %(url)s"
)
REPLACES_PAPER = N_(
    "Issued through the Amina app. This slip replaces the tear-off part of the notification "
    "of arrival."
)
NO_LONGER_VALID = N_("This registration is no longer valid.")
PURPOSES: dict[str, str] = {
    "work": N_("Work"),
    "study": N_("Study"),
    "private": N_("Private visit"),
    "tourism": N_("Tourism"),
    "other": N_("Other"),
}

INK = HexColor("#1a1f26")
MUTED = HexColor("#4b5563")
ACCENT = HexColor("#1d4f91")
WARNING = HexColor("#b3261e")


@dataclass(frozen=True)
class SlipFacts:
    """Everything printed on a slip; plain data, so a slip can be drawn without a database."""

    number: str
    slip_code: str  # grouped, as printed: 7KQ3-M9XD-2HWPA
    name_latin: str
    name_cyrillic: str | None
    address: str
    host: str
    stay_from: date
    stay_to: date
    issued_on: date
    purpose: str
    verify_url: str
    language: str
    valid: bool = True
    dependants: tuple[str, ...] = field(default_factory=tuple)


# --- fonts and scripts -------------------------------------------------------------------


def script_of(char: str) -> Script | None:
    """The script a character needs a font for; None for spaces (they join any run)."""
    code = ord(char)
    if char.isspace():
        return None
    if 0x0530 <= code <= 0x058F or 0xFB13 <= code <= 0xFB17:
        return Script.armenian
    if 0x10A0 <= code <= 0x10FF or 0x1C90 <= code <= 0x1CBF or 0x2D00 <= code <= 0x2D2F:
        return Script.georgian
    return Script.general


def font_name(script: Script, bold: bool) -> str:
    return f"Amina-{script.value}-{'bold' if bold else 'regular'}"


@cache
def register_fonts(font_dir: Path = FONT_DIR) -> None:
    """Register the six Noto faces with ReportLab (once per process)."""
    missing = [
        str(font_dir / name)
        for files in FONT_FILES.values()
        for name in files
        if not (font_dir / name).is_file()
    ]
    if missing:
        raise SlipFontsMissing(
            "The registration slip needs Debian's Noto fonts (apt-get install fonts-noto-core); "
            "missing: " + ", ".join(missing)
        )
    for script, (regular, bold) in FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(font_name(script, False), str(font_dir / regular)))
        pdfmetrics.registerFont(TTFont(font_name(script, True), str(font_dir / bold)))


def runs(text: str, bold: bool = False) -> list[tuple[str, str]]:
    """Split ``text`` into (font name, text) runs, one font per script."""
    result: list[tuple[str, str]] = []
    current: Script | None = None
    buffer = ""
    for char in text:
        script = script_of(char)
        if script is None or script == current or current is None:
            current = current or script
            buffer += char
            continue
        result.append((font_name(current, bold), buffer))
        current, buffer = script, char
    if buffer:
        result.append((font_name(current or Script.general, bold), buffer))
    return result


def missing_glyphs(text: str, bold: bool = False) -> set[str]:
    """Characters of ``text`` that the chosen fonts cannot draw (for tests and checks)."""
    register_fonts()
    missing: set[str] = set()
    for name, chunk in runs(text, bold):
        font = pdfmetrics.getFont(name)
        cmap = font.face.charToGlyph
        missing.update(char for char in chunk if not char.isspace() and ord(char) not in cmap)
    return missing


def text_width(text: str, size: float, bold: bool = False) -> float:
    return float(sum(pdfmetrics.stringWidth(chunk, name, size) for name, chunk in runs(text, bold)))


def wrap(text: str, size: float, width: float, bold: bool = False) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (at spaces; long words are cut)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, size, bold) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = word
        while text_width(line, size, bold) > width and len(line) > 1:
            cut = len(line)
            while cut > 1 and text_width(line[:cut], size, bold) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    if line:
        lines.append(line)
    return lines or [""]


# --- drawing -----------------------------------------------------------------------------


class _Pen:
    """Writes lines of mixed-script text downwards from a starting point."""

    def __init__(self, canvas: Canvas, x: float, y: float, width: float) -> None:
        self.canvas = canvas
        self.x = x
        self.y = y
        self.width = width

    def line(self, text: str, size: float, *, bold: bool = False, color: Color = INK) -> None:
        self.y -= size * 1.25
        x = self.x
        self.canvas.setFillColor(color)
        for name, chunk in runs(text, bold):
            self.canvas.setFont(name, size)
            self.canvas.drawString(x, self.y, chunk)
            x += pdfmetrics.stringWidth(chunk, name, size)

    def paragraph(self, text: str, size: float, *, bold: bool = False, color: Color = INK) -> None:
        for line in wrap(text, size, self.width, bold):
            self.line(line, size, bold=bold, color=color)

    def gap(self, height: float) -> None:
        self.y -= height


def _draw_qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    """The QR code as vector squares, ``size`` wide, lower-left corner at (x, y)."""
    qr = segno.make_qr(url, error="m")
    rows = [list(row) for row in qr.matrix_iter(border=4)]
    module = size / len(rows)
    canvas.setFillColor(white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(black)
    for r, row in enumerate(rows):
        top = y + size - (r + 1) * module
        for c, dark in enumerate(row):
            if dark:
                # a hair wider than the module so that neighbours print without seams
                canvas.rect(x + c * module, top, module * 1.02, module * 1.02, stroke=0, fill=1)


class _Labels:
    """A label in the person's language and in Russian (once, if the person reads Russian)."""

    def __init__(self, language: str) -> None:
        self.own = Translator(language)
        self.russian = Translator("ru")
        self.bilingual = self.own.language != "ru"

    def pair(self, message: str, **params: str) -> tuple[str, str | None]:
        own = self.own.gettext(message, **params)
        if not self.bilingual:
            return own, None
        return own, self.russian.gettext(message, **params)

    def joined(self, message: str, **params: str) -> str:
        own, russian = self.pair(message, **params)
        return own if russian is None else f"{own} / {russian}"

    def dates(self, day: date) -> tuple[str, str | None]:
        own = self.own.format_date(day, "long")
        if not self.bilingual:
            return own, None
        return own, self.russian.format_date(day, "long")

    def period(self, start: date, end: date) -> tuple[str, str | None]:
        own = self.own.gettext(
            STAY_PERIOD,
            start=self.own.format_date(start, "long"),
            end=self.own.format_date(end, "long"),
        )
        if not self.bilingual:
            return own, None
        russian = self.russian.gettext(
            STAY_PERIOD,
            start=self.russian.format_date(start, "long"),
            end=self.russian.format_date(end, "long"),
        )
        return own, russian


@dataclass(frozen=True)
class _Row:
    label: tuple[str, str | None]
    value: tuple[str, str | None]
    strong: bool = False


def _rows(facts: SlipFacts, labels: _Labels) -> list[_Row]:
    name = facts.name_latin
    if facts.name_cyrillic:
        name = f"{facts.name_latin} / {facts.name_cyrillic}"
    purpose = PURPOSES.get(facts.purpose, PURPOSES["other"])
    rows = [
        _Row(labels.pair(LABEL_NUMBER), (facts.number, None), strong=True),
        _Row(labels.pair(LABEL_NAME), (name, None), strong=True),
        _Row(labels.pair(LABEL_ADDRESS), (facts.address, None)),
        _Row(labels.pair(LABEL_HOST), (facts.host, None)),
        _Row(labels.pair(LABEL_STAY), labels.period(facts.stay_from, facts.stay_to)),
        _Row(labels.pair(LABEL_PURPOSE), labels.pair(purpose)),
    ]
    if facts.dependants:
        rows.append(_Row(labels.pair(LABEL_DEPENDANTS), ("; ".join(facts.dependants), None)))
    rows.append(_Row(labels.pair(LABEL_ISSUED), labels.dates(facts.issued_on)))
    return rows


def _set_metadata(canvas: Canvas, facts: SlipFacts) -> None:
    issued = facts.issued_on
    stamp = f"D:{issued.year:04d}{issued.month:02d}{issued.day:02d}000000+00'00'"
    canvas.setDateFormatter(lambda *_parts: stamp)
    canvas.setTitle(f"{facts.number}")
    canvas.setSubject("Registration slip / Справка о регистрации по месту пребывания")
    canvas.setCreator("Amina")
    canvas.setProducer("Amina")
    canvas.setAuthor("Amina")


def _draw_rows_wide(pen: _Pen, rows: Iterable[_Row], label_width: float) -> None:
    value_x = pen.x + label_width
    value_width = pen.width - label_width
    for row in rows:
        top = pen.y
        label = _Pen(pen.canvas, pen.x, top, label_width - 4 * mm)
        label.paragraph(row.label[0], 9, bold=True, color=MUTED)
        if row.label[1]:
            label.paragraph(row.label[1], 8, color=MUTED)
        value = _Pen(pen.canvas, value_x, top, value_width)
        value.paragraph(row.value[0], 12, bold=row.strong)
        if row.value[1]:
            value.paragraph(row.value[1], 9, color=MUTED)
        pen.y = min(label.y, value.y) - 3 * mm
        pen.canvas.setStrokeColor(HexColor("#c9d2dc"))
        pen.canvas.setLineWidth(0.5)
        pen.canvas.line(pen.x, pen.y + 1.5 * mm, pen.x + pen.width, pen.y + 1.5 * mm)


def _draw_rows_narrow(pen: _Pen, rows: Iterable[_Row], scale: float) -> None:
    for row in rows:
        pen.paragraph(" / ".join(p for p in row.label if p), 6.5 * scale, bold=True, color=MUTED)
        pen.paragraph(row.value[0], 8.5 * scale, bold=row.strong)
        if row.value[1]:
            pen.paragraph(row.value[1], 6.5 * scale, color=MUTED)
        pen.gap(1.5 * mm * scale)


def _draw_a4(canvas: Canvas, facts: SlipFacts, labels: _Labels) -> None:
    width, height = PAGE_SIZES[SlipFormat.a4]
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
    head.paragraph(labels.joined(SUBTITLE), 11, color=MUTED)
    head.gap(3 * mm)
    head.paragraph(labels.joined(LABEL_CODE), 9, bold=True, color=MUTED)
    head.line(facts.slip_code, 20, bold=True)

    qr_x = width - margin - qr_size
    qr_y = height - 14 * mm - qr_size
    _draw_qr(canvas, facts.verify_url, qr_x, qr_y, qr_size)

    pen = _Pen(canvas, margin, min(head.y, qr_y) - 8 * mm, width - 2 * margin)
    if not facts.valid:
        pen.paragraph(labels.joined(NO_LONGER_VALID), 13, bold=True, color=WARNING)
        pen.gap(3 * mm)
    _draw_rows_wide(pen, _rows(facts, labels), 55 * mm)

    pen.gap(4 * mm)
    own, russian = labels.pair(HOW_TO_VERIFY, url=_verify_page(facts.verify_url))
    pen.paragraph(own, 10)
    if russian:
        pen.paragraph(russian, 9, color=MUTED)
    pen.gap(3 * mm)
    own, russian = labels.pair(REPLACES_PAPER)
    pen.paragraph(own, 9, color=MUTED)
    if russian:
        pen.paragraph(russian, 8, color=MUTED)


PHONE_MARGIN = 5 * mm


def _draw_phone(canvas: Canvas, facts: SlipFacts, labels: _Labels, scale: float) -> float:
    """Draw the phone slip with text and QR scaled by ``scale``; returns the lowest line's y."""
    width, height = PAGE_SIZES[SlipFormat.phone]
    margin = PHONE_MARGIN
    canvas.setFillColor(ACCENT)
    canvas.rect(0, height - 4 * mm, width, 4 * mm, stroke=0, fill=1)
    pen = _Pen(canvas, margin, height - 6 * mm, width - 2 * margin)
    pen.paragraph(labels.joined(TITLE), 9 * scale, bold=True, color=ACCENT)
    qr_size = (width - 2 * margin - 14 * mm) * scale
    pen.gap(1 * mm)
    _draw_qr(canvas, facts.verify_url, (width - qr_size) / 2, pen.y - qr_size, qr_size)
    pen.gap(qr_size + 1 * mm)
    code_size = 15.0 * scale
    code_x = (width - text_width(facts.slip_code, code_size, True)) / 2
    code = _Pen(canvas, code_x, pen.y, width)
    code.line(facts.slip_code, code_size, bold=True)
    pen.y = code.y - 2 * mm * scale
    if not facts.valid:
        pen.paragraph(labels.joined(NO_LONGER_VALID), 9 * scale, bold=True, color=WARNING)
        pen.gap(1 * mm * scale)
    _draw_rows_narrow(pen, _rows(facts, labels), scale)
    own, russian = labels.pair(HOW_TO_VERIFY, url=_verify_page(facts.verify_url))
    pen.paragraph(own, 6 * scale, color=MUTED)
    if russian:
        pen.paragraph(russian, 6 * scale, color=MUTED)
    return pen.y


def _phone_scale(facts: SlipFacts, labels: _Labels) -> float:
    """The largest scale at which everything fits on the phone page (long translations and
    addresses take more lines); measured by drawing on a throwaway canvas."""
    scale = 1.0
    while scale > 0.5:
        trial = Canvas(io.BytesIO(), pagesize=PAGE_SIZES[SlipFormat.phone], invariant=1)
        if _draw_phone(trial, facts, labels, scale) >= PHONE_MARGIN:
            return scale
        scale = round(scale - 0.05, 2)
    return scale


def _verify_page(url: str) -> str:
    return url.split("?", 1)[0]


def render_slip(facts: SlipFacts, page: SlipFormat = SlipFormat.a4) -> bytes:
    """The slip as PDF bytes: one page, A4 or phone-sized."""
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=PAGE_SIZES[page], invariant=1, pageCompression=1)
    _set_metadata(canvas, facts)
    labels = _Labels(facts.language)
    if page is SlipFormat.a4:
        _draw_a4(canvas, facts, labels)
    else:
        _draw_phone(canvas, facts, labels, _phone_scale(facts, labels))
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
