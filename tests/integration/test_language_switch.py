"""Switching language keeps the page's query: a host who arrived from a QR link keeps the code."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_the_language_links_on_verify_keep_the_code_from_the_qr_link(client: TestClient) -> None:
    page = client.get("/verify?code=ABCD-EFGH-JKMNP&lang=ru").text
    assert 'href="?code=ABCD-EFGH-JKMNP&amp;lang=ka"' in page
    assert 'href="?code=ABCD-EFGH-JKMNP&amp;lang=hy"' in page
