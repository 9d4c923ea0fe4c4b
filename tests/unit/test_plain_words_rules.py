"""Plain words (issue 13, point 6): purposes as codes read in every language, every policy
parameter named and explained, and the grammar a person noticed — agreement, no "3 дн." in
running text, one colon in the reminder, the product's name in the script of the sentence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from amina.adapters.web.pages.app import SENDING_DETAIL
from amina.adapters.web.pages.policy_words import PARAMETER_DESCRIPTIONS, PARAMETER_LABELS
from amina.domain.policy import PARAMETER_RANGES
from amina.domain.purposes import PURPOSE_CODE, STATED, SYSTEM, Purpose, purpose_words
from amina.i18n import LANGUAGES, Translator
from amina.services.compliance.messages import MessageKind, render
from amina.services.registration.registrations import MESSAGES

LOCALE = Path(__file__).resolve().parents[2] / "amina" / "locale"

#: The languages written in another script than Latin, and a letter range of that script.
SCRIPTS = {
    "ru": "[а-яё]",
    "uk": "[а-яіїєґ]",
    "tg": "[а-яёҳҷқғӯӣ]",
    "ky": "[а-яёңөү]",
    "kk": "[а-яёәғқңөұүһі]",
    "hy": "[\u0531-\u0587]",
    "ka": "[\u10d0-\u10ff]",
}


def translations(language: str) -> list[str]:
    found: list[str] = []
    for path in (LOCALE / language / "LC_MESSAGES").glob("*.po"):
        with path.open("rb") as handle:
            for message in read_po(handle):
                if not message.id:
                    continue
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                found.extend(s for s in strings if s)
    return found


def test_a_purpose_from_the_list_needs_free_text_only_for_other() -> None:
    assert Purpose("card_lost").is_stated()
    assert Purpose("other", "Person asked at desk 2").is_stated()
    assert not Purpose("other", "hm").is_stated()
    assert not Purpose("because").is_stated()


def test_a_stored_purpose_reads_as_its_label_and_the_free_text() -> None:
    chosen = purpose_words("desk 3", {PURPOSE_CODE: "cannot_sign_in"})
    assert (chosen.label, chosen.text) == (STATED["cannot_sign_in"], "desk 3")
    assert purpose_words("Working the case queue", {}).label == "Working the case queue"
    older = purpose_words("Человек у окна: desk 3", {})
    assert (older.label, older.text) == (None, "Человек у окна: desk 3")


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_every_purpose_a_person_may_read_is_translated_into_their_language(
    language: str,
) -> None:
    t = Translator(language)
    untranslated = [p for p in [*STATED.values(), *SYSTEM] if t.gettext(p) == p]
    assert untranslated == []


def test_every_policy_parameter_has_a_russian_label_and_description() -> None:
    t = Translator("ru")
    for name in PARAMETER_RANGES:
        assert name in PARAMETER_LABELS, name
        assert name in PARAMETER_DESCRIPTIONS, name
        assert re.search("[а-я]", t.gettext(PARAMETER_LABELS[name])), name
        assert re.search("[а-я]", t.gettext(PARAMETER_DESCRIPTIONS[name])), name


@pytest.mark.parametrize("language", sorted(SCRIPTS))
def test_the_product_name_is_written_in_the_script_of_the_sentence(language: str) -> None:
    script = re.compile(SCRIPTS[language], re.IGNORECASE)
    latin_inside = [s for s in translations(language) if "Amina" in s and script.search(s)]
    assert latin_inside == []


def test_the_russian_product_name_is_amina_in_cyrillic() -> None:
    t = Translator("ru")
    assert "Амина" in t.gettext(
        "Amina will start sending your location once your place of stay is registered."
    )


@pytest.mark.parametrize("language", ["ru", "uk"])
def test_no_abbreviated_unit_follows_a_number_in_running_text(language: str) -> None:
    abbreviated = re.compile(r"\)s (дн|мин|ч|сек|хв|год)\.")
    assert [s for s in translations(language) if abbreviated.search(s)] == []


@pytest.mark.parametrize(
    ("days", "words"),
    [(1, "за 1 день до"), (3, "за 3 дня до"), (5, "за 5 дней до"), (21, "за 21 день до")],
)
def test_the_earliest_start_of_a_stay_says_days_in_full_words(days: int, words: str) -> None:
    message = MESSAGES["stay_starts_too_far_in_the_past"]
    assert words in Translator("ru").gettext(message, days=str(days))


def test_the_reporting_interval_takes_the_russian_form_of_its_number() -> None:
    choice = Translator("ru").plural_choice(SENDING_DETAIL, minutes="{minutes}")

    def form(n: int) -> str:
        return str(choice["forms"][int(choice["index"][n if n < 200 else 100 + n % 100])])

    assert "каждые {minutes} минут." in form(15)
    assert "каждые {minutes} минуты." in form(2)
    assert "каждую {minutes} минуту." in form(21)
    assert "каждые {minutes} минут." in form(1440)


def test_the_reminder_has_one_colon_when_the_phone_said_nothing() -> None:
    text = render(
        MessageKind.reminder, {"since": "2025-11-05", "signal": "no_contact"}, Translator("ru")
    ).text
    assert text.count(":") == 1
    assert "ничего (телефон не выходил на связь)" in text


@pytest.mark.parametrize("language", ["ru", "ro"])
def test_what_the_phone_reported_agrees_in_gender(language: str) -> None:
    t = Translator(language)
    rows = {
        f"{t.gettext(label)}: {t.gettext(value)}"
        for label, value in [
            ("Location on the phone", "switched on"),
            ("Battery saver", "switched off"),
        ]
    }
    expected = {
        "ru": {
            "Определение местоположения на телефоне: включено",
            "Энергосбережение: выключено",
        },
        "ro": {"Localizarea pe telefon: activată", "Economisirea bateriei: dezactivată"},
    }
    assert rows == expected[language]
