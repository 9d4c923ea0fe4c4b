"""The registration slip: a PDF in the person's language and in Russian, with the right glyphs
for Armenian and Georgian, a QR code that opens the host verification page for this slip, and
the same bytes on every download of the same state.

The first page of each slip is rendered to ``test-artifacts/slips/*.png`` (pdftoppm) so that a
person can look at it.
"""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import segno
from fastapi.testclient import TestClient
from PIL import Image
from registration_support import PODOLSK, person, registered

from amina.bootstrap import Container
from amina.services.clock import FixedClock

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "slips"


def _slip(
    client: TestClient, session: Any, registration: dict[str, Any], page: str = "a4"
) -> bytes:
    answer = client.get(
        f"/api/v1/me/registrations/{registration['id']}/slip.pdf",
        params={"format": page},
        headers=session.bearer,
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    return answer.content


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "slip.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    return " ".join(done.stdout.split())


def _png(pdf: bytes, name: str, dpi: int = 60) -> Path:
    """Render page 1 with pdftoppm into test-artifacts/slips/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    source = ARTIFACTS / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(dpi),
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(source),
            str(ARTIFACTS / name),
        ],
        check=True,
    )
    return ARTIFACTS / f"{name}.png"


def _page_size_mm(pdf: bytes, tmp_path: Path) -> tuple[int, int]:
    path = tmp_path / "size.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    line = next(x for x in info.stdout.splitlines() if x.startswith("Page size:"))
    width, height = (float(v) for v in line.split()[2:5:2])
    return round(width / 72 * 25.4), round(height / 72 * 25.4)


@pytest.mark.parametrize(
    ("language", "own_labels"),
    [
        ("hy", ["Հասցե", "Հաշվառման տեղեկանք", "Ընդունող կողմ", "Գտնվելու ժամկետ"]),
        ("ka", ["მისამართი", "რეგისტრაციის ცნობა", "მიმღები მხარე", "ყოფნის ვადა"]),
    ],
)
def test_the_slip_is_printed_in_the_persons_script_and_in_russian(
    client: TestClient,
    container: Container,
    tmp_path: Path,
    language: str,
    own_labels: list[str],
) -> None:
    me = person(
        client,
        container,
        language=language,
        citizenship={"hy": "AM", "ka": "GE"}[language],
        surname_lat={"hy": "Petrosyan", "ka": "Beridze"}[language],
        given_names_lat={"hy": "Armen", "ka": "Giorgi"}[language],
        surname_cyr={"hy": "Петросян", "ka": "Беридзе"}[language],
        given_names_cyr={"hy": "Армен", "ka": "Георгий"}[language],
    )
    registration = registered(client, me)

    pdf = _slip(client, me, registration)

    assert pdf.startswith(b"%PDF-")
    text = _text(pdf, tmp_path)
    for label in own_labels:
        assert label in text, f"{label!r} missing from the {language} slip"
    for russian in ["Справка о регистрации", "Адрес", "Принимающая сторона", "Срок пребывания"]:
        assert russian in text
    name_latin, name_cyrillic = {
        "hy": ("Petrosyan Armen", "Петросян Армен"),
        "ka": ("Beridze Giorgi", "Беридзе Георгий"),
    }[language]
    assert name_latin in text
    assert name_cyrillic in text
    assert "Москва, ул. Тверская, д. 7, кв. 12" in text
    assert registration["number"] in text
    assert registration["slip_code"] in text
    assert "Иванова Мария Петровна" in text
    assert "5 ноября 2025 г." in text  # date of issue and stay, the Russian way
    picture = _png(pdf, f"slip-{language}-a4-{container.engine.dialect.name}")
    assert picture.stat().st_size > 10_000


def test_downloading_the_slip_again_gives_the_same_document(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    me = person(client, container, language="ka")
    registration = registered(client, me)

    first = _slip(client, me, registration)
    clock.advance(timedelta(minutes=5))
    again = _slip(client, me, registration)

    assert again == first


def test_the_phone_slip_is_a_narrow_page_with_the_same_facts(
    client: TestClient, container: Container, tmp_path: Path
) -> None:
    me = person(client, container, language="uz")
    registration = registered(client, me, address=PODOLSK)

    pdf = _slip(client, me, registration, "phone")

    assert _page_size_mm(pdf, tmp_path) == (90, 160)
    assert _page_size_mm(_slip(client, me, registration), tmp_path) == (210, 297)
    text = _text(pdf, tmp_path)
    assert "Московская область, Подольск, ул. Кирова, д. 10, корп. 2, кв. 41" in text
    assert "Manzil / Адрес" in text
    assert registration["slip_code"] in text
    _png(pdf, f"slip-uz-phone-{container.engine.dialect.name}", dpi=100)


def test_the_slip_qr_code_opens_the_verification_page_for_this_slip(
    client: TestClient, container: Container
) -> None:
    me = person(client, container)
    registration = registered(client, me)
    expected = f"http://127.0.0.1:8000/verify?code={registration['slip_code'].replace('-', '')}"
    assert registration["verify_url"] == expected

    picture = _png(_slip(client, me, registration), f"slip-qr-{container.engine.dialect.name}", 200)

    # Read the QR's modules off the rendered page (where the A4 layout puts it: 50 mm square,
    # 18 mm from the right edge, 14 mm from the top) and compare with the code for the URL.
    reference = [list(row) for row in segno.make_qr(expected, error="m").matrix_iter(border=4)]
    image = Image.open(picture).convert("L")
    px_per_mm = image.width / 210
    left, top, size = (210 - 18 - 50) * px_per_mm, 14 * px_per_mm, 50 * px_per_mm
    module = size / len(reference)
    read = [
        [
            image.getpixel((int(left + (c + 0.5) * module), int(top + (r + 0.5) * module))) < 128
            for c in range(len(reference))
        ]
        for r in range(len(reference))
    ]
    assert read == [[bool(x) for x in row] for row in reference]


def test_a_closed_registrations_slip_says_it_is_no_longer_valid(
    client: TestClient, container: Container, tmp_path: Path
) -> None:
    me = person(client, container, language="ru")
    old = registered(client, me)
    registered(client, me, address=PODOLSK)

    text = _text(_slip(client, me, old), tmp_path)

    assert "Эта регистрация больше не действительна." in text
