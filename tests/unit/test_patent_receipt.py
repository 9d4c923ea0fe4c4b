"""The patent payment's receipt (issue 11, point 5): in the person's language and Russian,
with the payer, INN, KBK, OKTMO, period, amount, reference and a QR code; every language's
labels have their glyphs; the same payment always gives the same bytes."""

from __future__ import annotations

import subprocess
from datetime import date
from decimal import Decimal

import pytest

from amina.adapters.documents import receipt, slip
from amina.i18n import LANGUAGES, Translator

FACTS = receipt.ReceiptFacts(
    payer_latin="Karimov Aziz",
    payer_cyrillic="Каримов Азиз",
    inn="500100732259",
    patent_number="77 2500123456",
    kbk="18210102040011000110",
    oktmo="45382000",
    covers_from=date(2025, 11, 20),
    covers_to=date(2026, 1, 19),
    months=2,
    amount=Decimal(17800),
    paid_on=date(2025, 11, 5),
    reference="sandbox:0123456789abcdef",
    verification_code="7KQ3-M9XD-2HWPA",
    check_url="https://amina.example/patent/check?code=7KQ3M9XD2HWPA",
    language="uz",
    sandbox=True,
)

LABELS = [
    receipt.TITLE,
    receipt.SUBTITLE,
    receipt.LABEL_PAYER,
    receipt.LABEL_INN,
    receipt.LABEL_PATENT,
    receipt.LABEL_KBK,
    receipt.LABEL_OKTMO,
    receipt.LABEL_PERIOD,
    receipt.LABEL_MONTHS,
    receipt.LABEL_AMOUNT,
    receipt.LABEL_PAID_ON,
    receipt.LABEL_REFERENCE,
    receipt.LABEL_CODE,
    receipt.SANDBOX_NOTE,
]


def _text(pdf: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return done.stdout.decode()


def test_the_receipt_prints_the_payment_in_the_persons_language_and_russian() -> None:
    pdf = receipt.render_receipt(FACTS)
    text = " ".join(_text(pdf).split())
    assert "Ishlash uchun patent: toʻlov kvitansiyasi" in text
    assert "Патент на работу: квитанция об оплате" in text
    for value in ("500100732259", "18210102040011000110", "45382000", "77 2500123456"):
        assert value in text
    assert "17 800" in text
    assert "7KQ3-M9XD-2HWPA" in text
    assert "Karimov Aziz / Каримов Азиз" in text


def test_the_same_payment_gives_the_same_receipt_bytes() -> None:
    assert receipt.render_receipt(FACTS) == receipt.render_receipt(FACTS)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_receipt_label_has_its_glyphs_in_the_chosen_fonts(language: str) -> None:
    t = Translator(language)
    texts = [t.gettext(label) for label in LABELS]
    texts.append(t.gettext(receipt.HOW_TO_CHECK, url="https://amina.example/patent/check"))
    texts.append(t.gettext(receipt.AMOUNT, amount="17 800"))
    for text in texts:
        assert slip.missing_glyphs(text) == set(), (language, text)
        assert slip.missing_glyphs(text, bold=True) == set(), (language, text)
