"""Regenerate every picture that the documents show, from the browser stories themselves.

Run it as ``./dev screenshots`` (or ``uv run python docs/images/make_screenshots.py``). It runs
the e2e tests that take the pictures (each on the demo data, in Debian's Chromium, at a phone's
size or at a desk, as the picture shows) with ``AMINA_DOCS_SCREENSHOTS=1``, which makes them
write docs/images/*.png on the way; then it checks that every image that README.md and
docs/*.md show was written by this run, and names any that was not (a picture with no test to
make it is stale by definition).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
IMAGES = REPO / "docs" / "images"

#: The tests that take the pictures (``docs_image``/``screenshot`` calls in tests/e2e).
TESTS = (
    # docs/sign-in.md: a wrong code and the lock (Russian)
    "tests/e2e/test_person_app.py::test_wrong_codes_count_down_the_tries_and_the_lock_shows_one_"
    "timer_and_no_new_code[russian]",
    # docs/operators.md: the person search and the registration history
    "tests/e2e/test_console_persons_story.py",
    # docs/console.md: case queue, case file, objections, policy editor
    "tests/e2e/test_due_process_story.py",
    # docs/help.md: the rules page; docs/app-notices.md: the reason in the reader's language
    "tests/e2e/test_app_notices.py::test_a_person_with_a_notice_finds_the_rules_from_it_in_their_"
    "language",
    "tests/e2e/test_app_notices.py::test_a_reader_reads_the_standard_reason_in_their_language_"
    "and_the_russian_note_marked",
    # docs/addresses.md: the address search, the review, the night-place question
    "tests/e2e/test_app_registration.py::test_a_person_registers_by_typing_part_of_the_street_"
    "and_choosing_the_address",
    "tests/e2e/test_app_registration.py::test_after_three_nights_at_one_place_the_app_asks_"
    "whether_it_is_home_and_saves_it_on_yes",
    # docs/operators.md: who looked at my data (ru, uz, ka); docs/roles.md: the audit page
    "tests/e2e/test_plain_words_story.py::test_a_person_reads_who_looked_by_role_and_staff_"
    "number_and_why_in_their_language",
    "tests/e2e/test_plain_words_story.py::test_the_auditor_reads_the_log_in_russian_on_a_phone_"
    "and_narrows_it",
    # docs/app-reporting.md: the evening reminder's offer and the check-in card (Russian)
    "tests/e2e/test_evening_check_in.py::test_the_evening_push_arrives_and_its_tap_sends_one_"
    "report[ru]",
)

IMAGE_LINK = re.compile(r"\]\((?:docs/)?images/([^)\s]+\.png)\)")


def shown_images() -> dict[str, list[str]]:
    """Image file name → the documents that show it."""
    shown: dict[str, list[str]] = {}
    for document in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        for name in IMAGE_LINK.findall(document.read_text(encoding="utf-8")):
            shown.setdefault(name, []).append(str(document.relative_to(REPO)))
    return shown


def say(line: str) -> None:
    sys.stdout.write(line + "\n")


def main() -> int:
    started = time.time()
    environment = {**os.environ, "AMINA_DOCS_SCREENSHOTS": "1"}
    command = [sys.executable, "-m", "pytest", "-p", "no:xdist", "-q", *TESTS]
    ran = subprocess.run(command, cwd=REPO, env=environment, check=False)  # noqa: S603 (fixed: this Python's pytest)
    if ran.returncode != 0:
        say("The tests that take the pictures failed; the pictures are not all current.")
        return ran.returncode
    stale = {
        name: documents
        for name, documents in shown_images().items()
        if not (IMAGES / name).exists() or (IMAGES / name).stat().st_mtime < started
    }
    for name, documents in sorted(stale.items()):
        say(f"not made by any test: docs/images/{name} (shown in {', '.join(documents)})")
    unused = sorted(path.name for path in IMAGES.glob("*.png") if path.name not in shown_images())
    for name in unused:
        say(f"made but shown by no document: docs/images/{name}")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
