"""Several catalog files per language merge into one table without losing real translations."""

from __future__ import annotations

from pathlib import Path

import pytest

from amina import i18n

PO = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

msgid "Language"
msgstr "{text}"
"""


@pytest.mark.parametrize("order", [("a_console", "b_core"), ("b_console", "a_core")])
def test_an_english_placeholder_never_hides_a_real_translation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, order: tuple[str, str]
) -> None:
    folder = tmp_path / "hy" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    console, core = order
    (folder / f"{console}.po").write_text(PO.format(text="Language"), encoding="utf-8")
    (folder / f"{core}.po").write_text(PO.format(text="Լեզու"), encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    assert i18n._load("hy").gettext("Language") == "Լեզու"
