"""A slip whose QR works (issue 13, point 2), in Chromium at a phone's size in Russian, Uzbek and
Georgian: the server is reached by people at a public address other than the one it listens
on (``AMINA_PUBLIC_BASE_URL``); the app's hint for hosts and the slip's QR code point there, and
the verify page opened through that address answers in the reader's language.

The public address is ``http://amina.localhost:PORT``: Chromium sends every ``*.localhost``
name to this machine, so the link works without a DNS entry, yet it is not the address the
server was started on (``http://127.0.0.1:PORT``).

The QR is read from the PDF as a picture: the page is rendered (``pdftoppm``), the code's modules
are sampled at their centres and compared with the modules of the expected address's code
(``segno``, the library that draws it, with the same error correction). No QR decoder is
installed (``zxing``/``zbar`` need system libraries), so the test proves "this QR encodes exactly
that address" by comparison: a QR of any other text has other modules.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import segno
from harness import BROWSER_LOCALES, PHONE, AminaServer, free_port, launch
from PIL import Image
from playwright.sync_api import Browser, expect
from test_app_registration import (
    fill_address,
    fill_host_and_stay,
    moscow_today,
    pdf_text,
    send,
    slip_code,
    without_registration,
)
from test_person_app import screen, sign_in_by_card, translated

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

#: A demo card holder without a demo registration per language (the server is this module's own).
READERS = {"ru": "7725000015", "uz": "7725000023", "ka": "7725000026"}
DPI = 200


@pytest.fixture(scope="module")
def public_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AminaServer, str]]:
    """A server listening on 127.0.0.1, whose public address is amina.localhost."""
    port = free_port()
    public = f"http://amina.localhost:{port}"
    server = launch(
        tmp_path_factory.mktemp("public-address"),
        port=port,
        extra_env={"AMINA_PUBLIC_BASE_URL": public},
    )
    assert "amina.localhost" not in server.url
    yield server, public
    server.stop()


def sampled(pdf: Path, folder: Path, expected: segno.QRCode) -> list[list[bool]]:
    """The PDF's QR sampled on the grid of ``expected``'s size, from its top-left finder."""
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-png", "-singlefile", str(pdf), str(folder / "slip")],
        check=True,
    )
    image = Image.open(folder / "slip.png").convert("L")
    width, height = image.size
    pixels = image.load()
    assert pixels is not None

    def black(x: int, y: int) -> bool:
        return bool(pixels[x, y] < 60)  # type: ignore[operator]

    # The top-left finder pattern: the first row with a run of black as long as seven modules
    # (a row of text has no such run); its left end and that row are the QR's corner.
    size = expected.symbol_size(border=0)[0]
    for y in range(height):
        run = 0
        for x in range(width):
            run = run + 1 if black(x, y) else 0
            if run >= 30:  # a finder's edge at 200 dpi: seven modules of at least 1 mm
                left, end = x - run + 1, x
                while end + 1 < width and black(end + 1, y):
                    end += 1
                module = (end - left + 1) / 7
                rows = []
                for r in range(size):
                    cy = int(y + (r + 0.5) * module)
                    rows.append([black(int(left + (c + 0.5) * module), cy) for c in range(size)])
                return rows
    raise AssertionError("no QR code on the slip's page")


@pytest.mark.parametrize("language", ["ru", "uz", "ka"])
def test_the_slips_qr_and_the_hosts_hint_point_to_the_public_address_whose_verify_page_works(
    public_server: tuple[AminaServer, str],
    browser: Browser,
    language: str,
    tmp_path: Path,
) -> None:
    server, public = public_server
    phone = browser.new_context(**PHONE, locale=BROWSER_LOCALES[language])  # type: ignore[arg-type]
    try:
        page = phone.new_page()
        page.set_default_timeout(15_000)
        person = without_registration(READERS[language])
        home = sign_in_by_card(page, server, language, person)
        home.locator("#home-registration").get_by_role(
            "link", name=translated(language, "Register your place of stay")
        ).click()
        form = screen(page, "register").locator("#form-register")
        fill_address(form, language, "ул. Петровка", "19", "5")
        fill_host_and_stay(form, language, moscow_today() + timedelta(days=60))
        send(page, language)

        code = slip_code(page)
        registration = screen(page, "registration")
        hint = registration.locator("#registration-verify-hint")
        expect(hint).to_have_text(
            translated(
                language,
                "Your host enters this code at %(address)s or scans the QR code on the slip. "
                "They see only your initials, the address and the date until which the "
                "registration is valid.",
                address=f"{public}/verify",
            )
        )
        assert server.url not in hint.inner_text()

        with page.expect_download() as download:
            registration.get_by_role(
                "button", name=translated(language, "Download the slip (A4, for printing)")
            ).click()
        slip = tmp_path / "slip.pdf"
        download.value.save_as(slip)
        text = pdf_text(slip)
        assert f"{public}/verify" in re.sub(r"\s+", "", text)
        assert "127.0.0.1" not in text

        link = f"{public}/verify?code={code.replace('-', '')}"
        expected = segno.make_qr(link, error="m")
        assert sampled(slip, tmp_path, expected) == [
            [bool(dark) for dark in row] for row in expected.matrix
        ], f"the slip's QR does not encode {link}"

        # The host scans the QR with a phone of their own that speaks the same language.
        host = browser.new_context(**PHONE, locale=BROWSER_LOCALES[language])  # type: ignore[arg-type]
        checking = host.new_page()
        checking.goto(link)
        expect(checking).to_have_url(link)
        expect(checking.locator("html")).to_have_attribute("lang", language)
        expect(checking.locator(".verdict__word")).to_have_text(translated(language, "Valid"))
        expect(checking.locator("#verification-result")).to_contain_text("ул. Петровка")
        host.close()
    finally:
        phone.close()
