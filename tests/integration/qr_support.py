"""Reading a QR code off a PDF page: page 1 is rendered with pdftoppm (poppler-utils), the
modules are read where the document's layout puts the code, and compared with the code for the
text it should hold (segno, the library the documents draw with). A code holding any other
text has other modules (or another size), so the comparison fails."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import segno
from PIL import Image


@dataclass(frozen=True)
class QrPlace:
    """Where a document draws its QR code on an A4 page, in millimetres."""

    from_right: float
    from_top: float
    size: float
    page_width: float = 210


#: The layouts of amina/adapters/documents: slip (A4), ticket, receipt.
SLIP_QR = QrPlace(from_right=18, from_top=14, size=50)
TICKET_QR = QrPlace(from_right=18, from_top=14, size=50)
RECEIPT_QR = QrPlace(from_right=18, from_top=14, size=45)


def first_page(pdf: bytes, folder: Path, dpi: int = 200) -> Image.Image:
    source = folder / "document.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [
            *("pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile"),
            *(str(source), str(folder / "page")),
        ],
        check=True,
    )
    return Image.open(folder / "page.png").convert("L")


def qr_holds(pdf: bytes, place: QrPlace, text: str, folder: Path) -> bool:
    """Whether the QR code at ``place`` on the PDF's first page holds exactly ``text``."""
    reference = [list(row) for row in segno.make_qr(text, error="m").matrix_iter(border=4)]
    image = first_page(pdf, folder)
    px_per_mm = image.width / place.page_width
    left = (place.page_width - place.from_right - place.size) * px_per_mm
    top, size = place.from_top * px_per_mm, place.size * px_per_mm
    module = size / len(reference)
    read = [
        [
            image.getpixel((int(left + (c + 0.5) * module), int(top + (r + 0.5) * module))) < 128
            for c in range(len(reference))
        ]
        for r in range(len(reference))
    ]
    return read == [[bool(x) for x in row] for row in reference]
