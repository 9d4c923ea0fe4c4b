"""A stored purpose in the reader's language: the chosen purpose's label translated, then the
staff member's own words (``amina.domain.purposes``). One home for the console's audit page,
the case file and the person's access log."""

from __future__ import annotations

from amina.domain.purposes import PurposeWords
from amina.i18n import Translator


def purpose_text(words: PurposeWords, translator: Translator) -> str:
    """ "Label: words", the label alone, or the words alone."""
    if words.label is None:
        return words.text
    label = translator.gettext(words.label)
    return f"{label}: {words.text}" if words.text else label
