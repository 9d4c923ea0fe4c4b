"""Languages and translations (gettext catalogs under ``amina/locale``).

Catalogs are ``amina/locale/<lang>/LC_MESSAGES/<domain>.po``; every domain file of a language
is merged into one translation table at start-up (no compile step). Message ids are English.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"

#: Supported languages, in the order a language switcher shows them.
LANGUAGES: tuple[str, ...] = ("ru", "uz", "tg", "ky", "hy", "kk", "ka", "az", "ro", "uk", "en")
DEFAULT_LANGUAGE = "ru"

#: The Babel locale used for dates and numbers in each language.
BABEL_LOCALES: Mapping[str, str] = {
    "ru": "ru",
    "uz": "uz_Latn",
    "tg": "tg",
    "ky": "ky",
    "hy": "hy",
    "kk": "kk",
    "ka": "ka",
    "az": "az_Latn",
    "ro": "ro_MD",
    "uk": "uk",
    "en": "en",
}

#: Each language's own name, for language switchers.
LANGUAGE_NAMES: Mapping[str, str] = {
    "ru": "Русский",
    "uz": "Oʻzbekcha",
    "tg": "Тоҷикӣ",
    "ky": "Кыргызча",
    "hy": "Հայերեն",
    "kk": "Қазақша",
    "ka": "ქართული",
    "az": "Azərbaycanca",
    "ro": "Română",
    "uk": "Українська",
    "en": "English",
}


def N_(message: str) -> str:  # noqa: N802 (gettext's conventional name for "mark only")
    """Mark a string for translation without translating it here."""
    return message


class PluralId(str):
    """A message id with a plural: :meth:`Translator.gettext` picks the language's form by the
    number in the parameter ``count`` (so that no language writes "3 дн.")."""

    __slots__ = ("counted", "plural")

    plural: str
    counted: str

    def __new__(cls, singular: str, plural: str, count: str) -> PluralId:
        made = super().__new__(cls, singular)
        made.plural = plural
        made.counted = count
        return made


def NP_(singular: str, plural: str, count: str = "num") -> str:  # noqa: N802 (as N_)
    """Mark a message with a plural for translation (``ngettext``'s forms, chosen later by the
    number given as the parameter named ``count``). Extracted like ``ngettext``."""
    return PluralId(singular, plural, count)


def normalise_language(tag: str | None) -> str | None:
    """'uz-Latn-UZ' -> 'uz'; None if not supported."""
    if not tag:
        return None
    primary = tag.strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else None


def negotiate(accept_language: str | None) -> str:
    """Pick a supported language from an ``Accept-Language`` header; ``ru`` if none fits."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        language = normalise_language(tag)
        if language and quality > 0:
            weighted.append((-quality, index, language))
    return sorted(weighted)[0][2] if weighted else DEFAULT_LANGUAGE


def _load(language: str) -> Translations:
    """Merge every domain file of ``language`` into one table.

    An entry that only repeats its English id (allowed for staff-console strings outside ru and
    en) never replaces a real translation of the same id from another domain file.
    """
    merged = Catalog(locale=BABEL_LOCALES[language])
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    for po_path in sorted(folder.glob("*.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=BABEL_LOCALES[language])
        for message in catalog:
            if not message.id or not message.string:
                continue
            existing = merged.get(message.id)
            repeats_english = message.string == message.id
            if existing is not None:
                if existing.string and repeats_english:
                    continue
                del merged[message.id]  # Catalog.__setitem__ would keep the old string
            merged[message.id] = message
    buffer = io.BytesIO()
    write_mo(buffer, merged)
    buffer.seek(0)
    return Translations(fp=buffer)


@cache
def translations(language: str) -> Translations:
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    return _load(language)


class Translator:
    """Everything a person reads, in one language."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE
        self._t = translations(self.language)
        self.locale = Locale.parse(BABEL_LOCALES[self.language])

    def gettext(self, message: str, **params: Any) -> str:
        if isinstance(message, PluralId) and message.counted in params:
            return self.ngettext(message, message.plural, int(params[message.counted]), **params)
        text = self._t.gettext(message)
        return text % params if params else text

    def ngettext(self, singular: str, plural: str, n: int, **params: Any) -> str:
        text = self._t.ngettext(str(singular), plural, n)
        return text % {"num": n, **params}

    def plural_choice(self, message: str, **params: Any) -> dict[str, Any]:
        """A :func:`NP_` message for a script that learns the number only later: every form of
        this language (``params`` filled in, e.g. ``minutes="{minutes}"``) and, for each number
        0-199, the index of its form. Our languages' rules look at ``n``, ``n % 10`` and
        ``n % 100`` only, so a number of 200 or more takes the form of ``100 + n % 100``."""
        assert isinstance(message, PluralId)
        forms: list[str] = []
        index: list[str] = []
        for n in range(200):
            text = self._t.ngettext(str(message), message.plural, n) % params
            if text not in forms:
                forms.append(text)
            index.append(str(forms.index(text)))
        return {"forms": forms, "index": "".join(index), "count": message.counted}

    def format_date(self, day: date, style: str = "long") -> str:
        return format_date(day, format=style, locale=self.locale)

    @property
    def gnu_translations(self) -> Translations:
        return self._t


def all_translators() -> Iterable[Translator]:
    return (Translator(language) for language in LANGUAGES)
