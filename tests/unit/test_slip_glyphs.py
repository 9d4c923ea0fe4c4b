"""The slip prints every language we support with real glyphs: each label's characters exist in
the Noto font chosen for its script (Armenian, Georgian, or Noto Sans for Latin and Cyrillic)."""

from __future__ import annotations

from datetime import date

import pytest

from amina.adapters.documents import slip
from amina.i18n import LANGUAGES, Translator

LABELS = [
    slip.TITLE,
    slip.SUBTITLE,
    slip.LABEL_NUMBER,
    slip.LABEL_NAME,
    slip.LABEL_ADDRESS,
    slip.LABEL_HOST,
    slip.LABEL_STAY,
    slip.LABEL_PURPOSE,
    slip.LABEL_DEPENDANTS,
    slip.LABEL_ISSUED,
    slip.LABEL_CODE,
    slip.REPLACES_PAPER,
    slip.NO_LONGER_VALID,
    *slip.PURPOSES.values(),
]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_slip_label_has_its_glyphs_in_the_chosen_fonts(language: str) -> None:
    t = Translator(language)
    texts = [t.gettext(label) for label in LABELS]
    texts.append(t.gettext(slip.HOW_TO_VERIFY, url="https://amina.example/verify"))
    texts.append(t.format_date(date(2025, 11, 5), "long"))
    for text in texts:
        assert slip.missing_glyphs(text) == set(), (language, text)
        assert slip.missing_glyphs(text, bold=True) == set(), (language, text)


def test_each_script_gets_its_own_font() -> None:
    text = "Հասցե / Адрес / \u10db\u10d8\u10e1\u10d0\u10db\u10d0\u10e0\u10d7\u10d8 / Manzil"
    runs = slip.runs(text)
    assert [name for name, _ in runs] == [
        "Amina-armenian-regular",
        "Amina-general-regular",
        "Amina-georgian-regular",
        "Amina-general-regular",
    ]
    assert "".join(chunk for _, chunk in runs) == text


def test_a_missing_font_is_a_clear_error(tmp_path: object) -> None:
    with pytest.raises(slip.SlipFontsMissing, match="fonts-noto-core"):
        slip.register_fonts.__wrapped__(tmp_path)  # type: ignore[attr-defined]
