"""Every message a person can read exists in all 11 languages, with its placeholders intact.

The message ids are extracted from the code with Babel's extraction API, exactly as a
translator's tool would: ``_``, ``N_``, ``gettext`` and ``ngettext`` calls in ``amina/**/*.py``,
and ``_``/``gettext``/``ngettext`` calls and ``{% trans %}`` blocks in the Jinja templates.
The catalogs are every ``amina/locale/<lang>/LC_MESSAGES/*.po`` file, merged per language the
way :mod:`amina.i18n` merges them at start-up. See docs/translations.md.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from amina.i18n import BABEL_LOCALES, LANGUAGES, LOCALE_DIR

PACKAGE = LOCALE_DIR.parent
TEMPLATE_DIRS = sorted(p for p in PACKAGE.rglob("templates") if p.is_dir())
KEYWORDS = {"_": None, "N_": None, "NP_": (1, 2), "gettext": None, "ngettext": (1, 2)}
# The same settings as the pages' Jinja environment (amina/adapters/web/templating.py), so that
# whitespace in {% trans %} blocks gives the same ids here as at run time.
JINJA_OPTIONS = {
    "extensions": "jinja2.ext.i18n",
    "trim_blocks": "true",
    "lstrip_blocks": "true",
    "newstyle_gettext": "true",
    "silent": "false",
}
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# oʻ and gʻ take the turned comma U+02BB, never the typewriter apostrophe (docs/translations.md)
ASCII_OKINA = re.compile(r"[oOgG]'")

MessageId = str | tuple[str, str]


@dataclass(frozen=True)
class Extracted:
    id: MessageId
    where: str  # "path:line" of its first use
    console_only: bool

    @property
    def key(self) -> str:
        return self.id if isinstance(self.id, str) else self.id[0]


def _is_console(path: Path) -> bool:
    parts = path.relative_to(PACKAGE).parts
    return any(a == "templates" and b == "console" for a, b in itertools.pairwise(parts))


def _sources() -> Iterator[tuple[Path, object, dict[str, str]]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, "python", {}
    for folder in TEMPLATE_DIRS:
        for path in sorted(folder.rglob("*.html")):
            yield path, babel_extract, JINJA_OPTIONS


@cache
def extracted() -> dict[str, Extracted]:
    """Every message id in the code, keyed by its (singular) id."""
    found: dict[str, Extracted] = {}
    console_only: dict[str, bool] = {}
    for path, method, options in _sources():
        console = _is_console(path)
        for lineno, message, _comments, _context in extract_from_file(
            method,  # type: ignore[arg-type]
            path,
            keywords=KEYWORDS,
            options=options,
        ):
            if isinstance(message, tuple):
                singular, plural = message[0], message[1]
                if not singular:
                    continue
                message_id: MessageId = (singular, plural) if plural else singular
            else:
                message_id = message
            if not message_id:
                continue
            item = Extracted(message_id, f"{path.relative_to(PACKAGE.parent)}:{lineno}", console)
            key = item.key
            console_only[key] = console_only.get(key, True) and console
            found.setdefault(key, item)
    return {key: Extracted(item.id, item.where, console_only[key]) for key, item in found.items()}


@cache
def catalogs() -> dict[str, dict[str, Catalog]]:
    """language -> domain -> catalog, for every .po file present."""
    result: dict[str, dict[str, Catalog]] = {}
    for language in LANGUAGES:
        folder = LOCALE_DIR / language / "LC_MESSAGES"
        result[language] = {}
        for po_path in sorted(folder.glob("*.po")):
            with po_path.open("rb") as po_file:
                result[language][po_path.stem] = read_po(
                    po_file, locale=BABEL_LOCALES[language], abort_invalid=True
                )
    return result


def merged(language: str) -> dict[str, Message]:
    """What amina.i18n loads for a language: later domain files win; empty and fuzzy entries
    are not loaded at all."""
    messages: dict[str, Message] = {}
    for catalog in catalogs()[language].values():
        for message in catalog:
            if message.id and _translated(message) and not message.fuzzy:
                messages[_ids(message)[0]] = message
    return messages


def _ids(message: Message) -> tuple[str, ...]:
    return (message.id,) if isinstance(message.id, str) else tuple(message.id)


def _strings(message: Message) -> tuple[str, ...]:
    string = message.string
    if string is None or isinstance(string, str):
        return (string or "",)
    return tuple(s or "" for s in string)


def _translated(message: Message) -> bool:
    return all(s.strip() for s in _strings(message))


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def _formats(text: str, names: set[str]) -> bool:
    try:
        text % dict.fromkeys(names, "x")
    except (ValueError, TypeError, KeyError):
        return False
    return True


def _where(language: str, domain: str) -> str:
    return f"amina/locale/{language}/LC_MESSAGES/{domain}.po"


def test_extraction_finds_messages_in_python_code_and_in_templates() -> None:
    # Guards the guard: if extraction silently found nothing, every other test here would pass.
    ids = extracted()
    assert "Malformed JSON" in ids  # N_() in amina/adapters/web/problems.py
    assert "State the purpose" in ids  # N_() in amina/services/audit/trail.py
    assert "Registration of the place of stay" in ids  # _() in templates/landing.html
    assert "Skip to main content" in ids  # _('...') in templates/base.html


def test_every_language_has_a_catalog_folder_with_every_domain_file() -> None:
    missing_folders = [
        language for language in LANGUAGES if not (LOCALE_DIR / language / "LC_MESSAGES").is_dir()
    ]
    assert not missing_folders, "Missing catalog folders: " + ", ".join(
        f"amina/locale/{language}/LC_MESSAGES/" for language in missing_folders
    )
    domains = {domain for per_language in catalogs().values() for domain in per_language}
    assert "core" in domains
    missing_files = [
        _where(language, domain)
        for domain in sorted(domains)
        for language in LANGUAGES
        if domain not in catalogs()[language]
    ]
    assert not missing_files, (
        "Every catalog domain needs a file in all 11 languages; missing:\n  "
        + "\n  ".join(missing_files)
    )


def _missing_line(language: str, item: Extracted) -> str:
    note = ""
    if item.console_only and language not in ("ru", "en"):
        note = "; staff console: the English text is acceptable here"
    return f"    {item.key!r}  ({item.where}{note})"


def test_every_message_in_the_code_is_translated_in_every_language() -> None:
    missing: dict[str, list[Extracted]] = defaultdict(list)
    for language in LANGUAGES:
        translated = merged(language)
        for key, item in sorted(extracted().items()):
            message = translated.get(key)
            if message is None or (isinstance(item.id, tuple) and not message.pluralizable):
                missing[language].append(item)
    report = "\n".join(
        f"[{language}] {len(items)} message(s) without a translation:\n"
        + "\n".join(_missing_line(language, item) for item in items)
        for language, items in missing.items()
    )
    if missing:
        pytest.fail(
            "Add these message ids, translated, to a catalog of each language named "
            "(amina/locale/<lang>/LC_MESSAGES/<domain>.po; see docs/translations.md):\n" + report,
            pytrace=False,
        )


def test_translations_keep_exactly_the_placeholders_of_their_message_id() -> None:
    problems: list[str] = []
    for language, per_domain in catalogs().items():
        for domain, catalog in per_domain.items():
            for message in catalog:
                if not message.id or not _translated(message):
                    continue
                ids = _ids(message)
                allowed = set().union(*(_placeholders(i) for i in ids))
                # a plural form for "one" may leave the count out, as English "one day" does
                required = set.intersection(*(_placeholders(i) for i in ids))
                for text in _strings(message):
                    found = _placeholders(text)
                    if not required <= found <= allowed:
                        problems.append(
                            f"[{language}] {_where(language, domain)}: {ids[0]!r}: "
                            f"placeholders {sorted(found)} in {text!r}, "
                            f"expected {sorted(allowed)}"
                        )
                    elif _formats(ids[0], allowed) and not _formats(text, allowed):
                        problems.append(
                            f"[{language}] {_where(language, domain)}: {ids[0]!r}: {text!r} "
                            "breaks %-formatting (write a literal per cent sign as %%)"
                        )
    assert not problems, "Translations that lost or invented a placeholder:\n" + "\n".join(problems)


def test_no_catalog_has_fuzzy_entries() -> None:
    fuzzy = [
        f"{_where(language, domain)}: {message.id!r}"
        for language, per_domain in catalogs().items()
        for domain, catalog in per_domain.items()
        for message in catalog
        if message.fuzzy and (message.id or catalog.fuzzy)
    ]
    assert not fuzzy, (
        "Fuzzy entries are not used at run time; review them and remove the fuzzy flag:\n"
        + "\n".join(fuzzy)
    )


def test_the_uzbek_catalogs_are_written_in_latin_script() -> None:
    cyrillic = [
        f"{_where('uz', domain)}: {message.id!r} -> {message.string!r}"
        for domain, catalog in catalogs()["uz"].items()
        for message in catalog
        if message.id and CYRILLIC.search(str(message.string))
    ]
    assert not cyrillic, "Uzbek is written in Latin script (SPEC §9):\n" + "\n".join(cyrillic)
    apostrophes = [
        f"{_where('uz', domain)}: {message.id!r} -> {message.string!r}"
        for domain, catalog in catalogs()["uz"].items()
        for message in catalog
        if message.id
        and message.string != message.id  # an English copy (console texts) keeps its own
        and ASCII_OKINA.search(str(message.string))
    ]
    assert not apostrophes, (
        "Uzbek writes oʻ and gʻ with U+02BB, not an ASCII apostrophe:\n" + "\n".join(apostrophes)
    )
