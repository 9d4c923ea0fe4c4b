"""The foreign citizen card (KIG) as the card register describes it (SPEC §4, API.md import).

A card row is checked here, field by field, so that the importer can report every reason a
row is refused, and so that sign-in decides in one place whether a card opens sign-in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from amina.domain.eligibility import Category, Purpose


class CardStatus(StrEnum):
    valid = "valid"
    lost = "lost"
    revoked = "revoked"


class SignInMethod(StrEnum):
    card = "card"
    passport = "passport"


#: ISO 3166-1 alpha-2 codes (officially assigned).
COUNTRY_CODES = frozenset(
    """AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO
    DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU
    GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW
    KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU
    MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW
    PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF
    TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA
    ZM ZW""".split()  # noqa: SIM905 - a block of codes reads better than 249 quoted strings
)

REQUIRED_FIELDS: tuple[str, ...] = (
    "card_number",
    "surname_lat",
    "given_names_lat",
    "surname_cyr",
    "given_names_cyr",
    "date_of_birth",
    "citizenship",
    "passport_number",
    "phone",
    "valid_from",
    "valid_to",
    "status",
)
OPTIONAL_FIELDS: tuple[str, ...] = ("purpose", "intended_stay_days", "category")
FIELDS: tuple[str, ...] = REQUIRED_FIELDS + OPTIONAL_FIELDS

_CARD_NUMBER = re.compile(r"^[A-Z0-9]{6,20}$")
_PASSPORT_NUMBER = re.compile(r"^[A-Z0-9]{5,20}$")
_PHONE = re.compile(r"^\+[1-9][0-9]{6,14}$")
_LATIN_NAME = re.compile(r"^[A-Za-z][A-Za-z' .-]{0,99}$")
_CYRILLIC_LETTERS = "А-Яа-яЁёІіЇїЄєҐґЎўҚқҒғҲҳҶҷӮӯӢӣҮүҢңӨөҺһӘә"
_CYRILLIC_NAME = re.compile(rf"^[{_CYRILLIC_LETTERS}][{_CYRILLIC_LETTERS}' .-]{{0,99}}$")
_SEPARATORS = re.compile(r"[\s\-]")


def normalise_card_number(raw: str) -> str:
    """What a person types, in the register's form: upper case, no spaces or dashes."""
    return _SEPARATORS.sub("", raw).upper()


def normalise_passport_number(raw: str) -> str:
    """Series and number as one upper-case string without spaces, dashes or '№'."""
    return _SEPARATORS.sub("", raw).replace("№", "").upper()


_PHONE_PUNCTUATION = re.compile(r"[\s\-().]")


def normalise_phone(raw: str) -> str:
    """A phone number as typed at a desk → the register's form: '8 (900) 123-45-67' and
    '+7 900 123 45 67' → '+79001234567'; other countries need their '+' code."""
    digits = _PHONE_PUNCTUATION.sub("", raw)
    if len(digits) == 11 and digits.startswith("8") and digits.isdigit():
        digits = "7" + digits[1:]
    if digits and not digits.startswith("+"):
        digits = "+" + digits
    return digits


@dataclass(frozen=True)
class Card:
    number: str
    surname_lat: str
    given_names_lat: str
    surname_cyr: str
    given_names_cyr: str
    date_of_birth: date
    citizenship: str
    passport_number: str
    phone: str
    valid_from: date
    valid_to: date
    status: CardStatus
    purpose: Purpose | None = None
    intended_stay_days: int | None = None
    category: Category = Category.none

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_to

    def opens_sign_in(self, method: SignInMethod, date_of_birth: date, day: date) -> bool:
        """Whether a code may be sent for this card.

        By card number only a valid card in force does; by passport (the card is lost) a valid
        or lost card in force does. Revoked and expired cards never do.
        """
        if self.date_of_birth != date_of_birth or not self.in_force_on(day):
            return False
        if method is SignInMethod.card:
            return self.status is CardStatus.valid
        return self.status in (CardStatus.valid, CardStatus.lost)


def card_for_passport(cards: list[Card], date_of_birth: date, day: date) -> Card | None:
    """Of the cards issued on one passport, the one a passport sign-in opens (newest first)."""
    usable = [c for c in cards if c.opens_sign_in(SignInMethod.passport, date_of_birth, day)]
    return max(usable, key=lambda c: (c.valid_to, c.valid_from), default=None)


class CardRowRejected(ValueError):
    """A register row that cannot be imported, with every reason (in English, for operators)."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = tuple(reasons)


def unknown_fields(names: list[str] | tuple[str, ...]) -> list[str]:
    return [name for name in names if name not in FIELDS]


def _text(fields: Mapping[str, object], name: str) -> str:
    value = fields.get(name)
    return "" if value is None else str(value).strip()


def parse_card_row(fields: Mapping[str, object], today: date) -> Card:  # noqa: PLR0915 (one check per column)
    """Check one register row and build the card. Raises :class:`CardRowRejected`."""
    reasons: list[str] = []
    extra = unknown_fields(list(fields))
    if extra:
        reasons.append(f"unknown field(s): {', '.join(sorted(extra))}")
    for name in REQUIRED_FIELDS:
        if not _text(fields, name):
            reasons.append(f"{name}: missing")

    def check(name: str, pattern: re.Pattern[str], value: str, rule: str) -> str:
        if value and not pattern.match(value):
            reasons.append(f"{name}: {rule}")
        return value

    number = check(
        "card_number",
        _CARD_NUMBER,
        normalise_card_number(_text(fields, "card_number")),
        "6 to 20 letters or digits",
    )
    passport = check(
        "passport_number",
        _PASSPORT_NUMBER,
        normalise_passport_number(_text(fields, "passport_number")),
        "5 to 20 letters or digits",
    )
    phone = check(
        "phone", _PHONE, _SEPARATORS.sub("", _text(fields, "phone")), "not an E.164 number"
    )
    names = {}
    for name, pattern, rule in (
        ("surname_lat", _LATIN_NAME, "Latin letters only"),
        ("given_names_lat", _LATIN_NAME, "Latin letters only"),
        ("surname_cyr", _CYRILLIC_NAME, "Cyrillic letters only"),
        ("given_names_cyr", _CYRILLIC_NAME, "Cyrillic letters only"),
    ):
        names[name] = check(name, pattern, " ".join(_text(fields, name).split()), rule)

    citizenship = _text(fields, "citizenship").upper()
    if citizenship and citizenship not in COUNTRY_CODES:
        reasons.append("citizenship: not an ISO 3166-1 alpha-2 country code")

    def day(name: str) -> date | None:
        raw = _text(fields, name)
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            reasons.append(f"{name}: not a date (YYYY-MM-DD)")
            return None

    born, valid_from, valid_to = day("date_of_birth"), day("valid_from"), day("valid_to")
    if born and born > today:
        reasons.append("date_of_birth: in the future")
    if valid_from and valid_to and valid_from > valid_to:
        reasons.append("valid_to: before valid_from")
    if born and valid_from and valid_from < born:
        reasons.append("valid_from: before date_of_birth")

    def choice(name: str, kind: type[StrEnum]) -> str | None:
        raw = _text(fields, name).lower()
        if not raw:
            return None
        if raw not in {member.value for member in kind}:
            allowed = ", ".join(member.value for member in kind)
            reasons.append(f"{name}: one of {allowed}")
            return None
        return raw

    status = choice("status", CardStatus)
    purpose = choice("purpose", Purpose)
    category = choice("category", Category)
    stay_text = _text(fields, "intended_stay_days")
    stay: int | None = None
    if stay_text:
        if stay_text.isdigit() and int(stay_text) <= 36500:
            stay = int(stay_text)
        else:
            reasons.append("intended_stay_days: a whole number of days (0 to 36500)")

    if reasons:
        raise CardRowRejected(reasons)
    # every required field was checked above
    assert born is not None
    assert valid_from is not None
    assert valid_to is not None
    assert status is not None
    return Card(
        number=number,
        surname_lat=names["surname_lat"],
        given_names_lat=names["given_names_lat"],
        surname_cyr=names["surname_cyr"],
        given_names_cyr=names["given_names_cyr"],
        date_of_birth=born,
        citizenship=citizenship,
        passport_number=passport,
        phone=phone,
        valid_from=valid_from,
        valid_to=valid_to,
        status=CardStatus(status),
        purpose=Purpose(purpose) if purpose else None,
        intended_stay_days=stay,
        category=Category(category) if category else Category.none,
    )


def phone_ending(phone: str) -> str:
    """The last two digits of a phone number: all that a sign-in screen shows of it."""
    digits = "".join(c for c in phone if c.isdigit())
    return digits[-2:].rjust(2, "0")


def masked_phone(phone: str) -> str:
    """'+79001234567' → '+7 ••• •••-••-67': enough for a person to recognise their number."""
    return f"{phone[:2]} ••• •••-••-{phone[-2:]}" if len(phone) > 4 else "•••"
