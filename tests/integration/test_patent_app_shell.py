"""The patent screens exist in every language of the app (issue 11, point 10): the shell is
rendered by the server with the patent catalog, so no English is left on them."""

from __future__ import annotations

from fastapi.testclient import TestClient

from amina.i18n import LANGUAGES, Translator

TEXTS = ("My work patent", "Go to payment", "Add your work patent", "Book a visit to the MMC")


def test_the_patent_screens_speak_every_language_of_the_app(client: TestClient) -> None:
    for language in (lang for lang in LANGUAGES if lang != "en"):
        page = client.get(f"/app?lang={language}").text.replace("&#39;", "'")
        t = Translator(language)
        for text in TEXTS:
            translated = t.gettext(text)
            assert translated != text, (language, text)
            assert translated in page, (language, text)
        assert 'href="/app/booking"' in page
        assert 'id="screen-patent"' in page
