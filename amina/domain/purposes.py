"""Why staff open a person's data (SPEC §10): the purposes they choose from, and the purposes
the system writes itself.

A purpose stated in the console is a **code** from :data:`STATED` plus free text. The audit log
keeps the code (in the entry's details, ``purpose_code``) and the free text (its ``purpose``),
never a translation, so what is stored stays the same whatever language the console was in;
every reader — the auditor in the console, the person in their access log — reads the code's
label in their own language. ``other`` needs the free text.

The system's own purposes (the sweep, opening a queue, managing accounts) are English message
ids kept as the entry's ``purpose``: :data:`SYSTEM` lists them so that readers translate them.
Entries written before the codes keep their text and are shown as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from amina.i18n import N_

#: Free text must say something: a word or two is not a purpose.
MIN_PURPOSE_LENGTH = 5

#: The key of the chosen purpose in an audit entry's details.
PURPOSE_CODE = "purpose_code"

#: The purposes staff choose from, in the order the list offers them (code → English label).
STATED: dict[str, str] = {
    "cannot_sign_in": N_("The person is at the desk and cannot sign in"),
    "code_not_arriving": N_("The sign-in code does not arrive"),
    "phone_changed": N_("The person's phone number has changed"),
    "card_lost": N_("The person reports the card lost"),
    "registration_question": N_("The person asks about their registration"),
    "case_decision": N_("Deciding the case after the missed deadline"),
    "case_review": N_("Checking the case before or after a decision"),
    "objection_review": N_("Reviewing an objection to a decision"),
    "referral_review": N_("Checking a referral before confirming it"),
    "case_work": N_("Work on the person's case"),
    "other": N_("Other (say why below)"),
}

# The purposes the system writes itself (English message ids, stored as written).
CASE_QUEUE = N_("Working the case queue")
REFERRAL_QUEUE = N_("Working the referral confirmation queue")
OBJECTION_QUEUE = N_("Working the objection queue")
CHECK_IN = N_("Check-in at the migration centre")
SWEEP = N_("Daily compliance sweep")
STAFF_CREATED = N_("Staff account management: account created")
STAFF_DISABLED = N_("Staff account management: account disabled")
STAFF_SECOND_FACTOR_RESET = N_("Staff account management: second factor reset")

#: Every purpose the system writes, so that readers translate it. The lower-case check-in
#: purpose is how entries before the codes say it.
SYSTEM: frozenset[str] = frozenset(
    {
        CASE_QUEUE,
        REFERRAL_QUEUE,
        OBJECTION_QUEUE,
        CHECK_IN,
        SWEEP,
        STAFF_CREATED,
        STAFF_DISABLED,
        STAFF_SECOND_FACTOR_RESET,
        N_("check-in at the migration centre"),
    }
)


@dataclass(frozen=True)
class Purpose:
    """A purpose chosen from :data:`STATED`, with the free text that goes with it."""

    code: str
    text: str = ""

    @property
    def details(self) -> str:
        """The free text, spaces tidied."""
        return " ".join(self.text.split())

    def in_english(self) -> str:
        """The purpose as one stable text (the label's English id, then the free text), for
        records that keep a reason as text (a card event)."""
        if self.code == "other" or self.code not in STATED:
            return self.details
        return f"{STATED[self.code]}: {self.details}" if self.details else STATED[self.code]

    def is_stated(self) -> bool:
        """A known code; ``other`` only with free text that says something."""
        if self.code not in STATED:
            return False
        return self.code != "other" or len(self.details) >= MIN_PURPOSE_LENGTH


@dataclass(frozen=True)
class PurposeWords:
    """How a stored purpose reads: a label to translate (or None) and text shown as written."""

    label: str | None
    text: str


def purpose_words(purpose: str, details: Mapping[str, Any]) -> PurposeWords:
    """Read a stored purpose back: the chosen code's label and the free text, a system purpose
    as its label, anything else (typed free text, older entries) as written."""
    code = details.get(PURPOSE_CODE)
    if isinstance(code, str) and code in STATED:
        return PurposeWords(None if code == "other" else STATED[code], purpose)
    if purpose in SYSTEM:
        return PurposeWords(purpose, "")
    return PurposeWords(None, purpose)
