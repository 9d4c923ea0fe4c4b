"""Pictures for docs/: the browser stories take them on the way, when asked.

``AMINA_DOCS_SCREENSHOTS=1`` (set by ``./dev screenshots``, docs/images/make_screenshots.py)
makes :func:`docs_image` write ``docs/images/NAME``; otherwise it does nothing.
"""

from __future__ import annotations

import os

from harness import REPO
from playwright.sync_api import Locator, Page

IMAGES = REPO / "docs" / "images"


def taking() -> bool:
    return os.environ.get("AMINA_DOCS_SCREENSHOTS") == "1"


def docs_image(what: Page | Locator, name: str, *, full_page: bool = False) -> None:
    """Save what the person sees as docs/images/``name`` (a page, or one part of it)."""
    if not taking():
        return
    IMAGES.mkdir(parents=True, exist_ok=True)
    if isinstance(what, Page):
        what.screenshot(path=str(IMAGES / name), full_page=full_page)
    else:
        what.screenshot(path=str(IMAGES / name))
