"""Appointments at the migration centre (MMC Sakharovo): the centre's services, opening hours,
slots, holds, tickets and reminders, as pure rules and data (issue 12, SPEC §8).

- The **services** of the centre are data (:data:`SERVICES`): duration, the documents to bring,
  who may book. Names and documents are English message ids, translated at the edge.
- **Opening hours** are slot templates per weekday and service (:class:`SlotTemplate`: opening
  and closing time in Moscow, counters = seats per slot). Slots exist only on working days of
  the production calendar (:class:`amina.domain.calendar.WorkingCalendar`, transferred days
  off and working Saturdays included) that the centre has not closed.
- A **booking** holds one seat of one slot. A person has at most one active booking per
  service. A booking may first be a short **hold** (while the person confirms); a hold that is
  not confirmed in :data:`HOLD_FOR` is released.
- The **ticket** carries a short code (8 characters of Crockford's base32, shown ``7KQ3-M9XD``)
  and a QR of the check-in address with that code.

No seat is ever given twice: that is the database's job (a per-slot counter that may only grow
while below capacity; see ``amina.adapters.db.booking``), not this module's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from amina.domain.calendar import MOSCOW, WorkingCalendar
from amina.domain.slip import ALPHABET
from amina.i18n import N_

#: How long a hold keeps a seat while the person confirms.
HOLD_FOR = timedelta(minutes=10)
#: How far ahead slots are opened.
OPEN_DAYS_AHEAD = 14
#: The centre's address, printed on tickets (in Russian, as on the building).
CENTRE_ADDRESS = "Московская область, городской округ Наро-Фоминский, поселение Марушкинское, деревня Сахарово, ММЦ «Сахарово»"  # noqa: E501
CENTRE_NAME = N_("Multifunctional migration centre Sakharovo")


class ServiceCode(StrEnum):
    card_issuance = "card_issuance"
    biometrics = "biometrics"
    medical_examination = "medical_examination"
    language_test = "language_test"
    patent_issuance = "patent_issuance"
    document_pickup = "document_pickup"
    card_replacement = "card_replacement"


class WhoMayBook(StrEnum):
    anyone = "anyone"
    """Any signed-in card holder."""
    lost_card = "lost_card"
    """Only a person whose card is marked lost (signed in with the passport)."""


class BookingStatus(StrEnum):
    held = "held"
    confirmed = "confirmed"
    checked_in = "checked_in"
    served = "served"
    no_show = "no_show"
    cancelled = "cancelled"
    expired = "expired"
    closed_by_centre = "closed_by_centre"


#: Statuses in which a booking occupies its seat.
ACTIVE = frozenset({BookingStatus.held, BookingStatus.confirmed, BookingStatus.checked_in})
#: Statuses the person may still cancel or move.
CHANGEABLE = frozenset({BookingStatus.held, BookingStatus.confirmed})


class ReminderKind(StrEnum):
    day_before = "day_before"
    two_hours = "two_hours"


@dataclass(frozen=True)
class CentreService:
    code: ServiceCode
    name: str
    duration: timedelta
    documents: tuple[str, ...]
    who_may_book: WhoMayBook = WhoMayBook.anyone
    #: Seats per slot in the default template (windows or rooms working this service).
    default_counters: int = 4


PASSPORT = N_("Passport with a notarised translation into Russian")
MIGRATION_CARD = N_("Migration card")
REGISTRATION_SLIP = N_("Registration slip of the place of stay (the Amina slip is accepted)")
PHOTO = N_("One colour photograph, 3 × 4 cm")
RECEIPT = N_("Receipt of the state fee")
MEDICAL_CERTIFICATES = N_("Medical certificates (from the medical examination)")
LANGUAGE_CERTIFICATE = N_("Certificate of the test of Russian language, history and law")
CONTRACT = N_("Employment contract or the employer's letter, if you have one")
TICKET = N_("This ticket (on the phone or printed)")
POLICE_REPORT = N_("Statement about the loss of the card, if you have one")

SERVICES: tuple[CentreService, ...] = (
    CentreService(
        ServiceCode.card_issuance,
        N_("Foreign citizen card: issuance"),
        timedelta(minutes=30),
        (PASSPORT, MIGRATION_CARD, REGISTRATION_SLIP, PHOTO, TICKET),
        default_counters=6,
    ),
    CentreService(
        ServiceCode.biometrics,
        N_("Biometrics and fingerprinting"),
        timedelta(minutes=15),
        (PASSPORT, MIGRATION_CARD, TICKET),
        default_counters=8,
    ),
    CentreService(
        ServiceCode.medical_examination,
        N_("Medical examination"),
        timedelta(minutes=30),
        (PASSPORT, MIGRATION_CARD, TICKET),
        default_counters=8,
    ),
    CentreService(
        ServiceCode.language_test,
        N_("Test of Russian language, history and law"),
        timedelta(minutes=60),
        (PASSPORT, MIGRATION_CARD, RECEIPT, TICKET),
        default_counters=10,
    ),
    CentreService(
        ServiceCode.patent_issuance,
        N_("Work patent: issuance and re-issue"),
        timedelta(minutes=30),
        (
            PASSPORT,
            MIGRATION_CARD,
            REGISTRATION_SLIP,
            MEDICAL_CERTIFICATES,
            LANGUAGE_CERTIFICATE,
            CONTRACT,
            TICKET,
        ),
        default_counters=6,
    ),
    CentreService(
        ServiceCode.document_pickup,
        N_("Picking up ready documents"),
        timedelta(minutes=15),
        (PASSPORT, TICKET),
        default_counters=4,
    ),
    CentreService(
        ServiceCode.card_replacement,
        N_("Replacement of a lost card"),
        timedelta(minutes=30),
        (PASSPORT, POLICE_REPORT, PHOTO, TICKET),
        who_may_book=WhoMayBook.lost_card,
        default_counters=2,
    ),
)
SERVICE_BY_CODE: Mapping[ServiceCode, CentreService] = {s.code: s for s in SERVICES}

WHO_MAY_BOOK_TEXT: Mapping[WhoMayBook, str] = {
    WhoMayBook.anyone: N_("Anyone with a foreign citizen card or a passport sign-in"),
    WhoMayBook.lost_card: N_("People whose card is lost (signed in with the passport)"),
}


def service(code: str) -> CentreService | None:
    try:
        return SERVICE_BY_CODE[ServiceCode(code)]
    except ValueError:
        return None


def may_book(centre_service: CentreService, card_lost: bool) -> bool:
    if centre_service.who_may_book is WhoMayBook.lost_card:
        return card_lost
    return True


# --- opening hours and slots -----------------------------------------------------------------

DEFAULT_OPENS = time(8, 0)
DEFAULT_CLOSES = time(18, 0)


@dataclass(frozen=True)
class SlotTemplate:
    """Opening hours of one service on one weekday (0 = Monday), Moscow time."""

    weekday: int
    service: ServiceCode
    opens: time
    closes: time
    counters: int

    def problems(self) -> list[str]:
        found = []
        if not 0 <= self.weekday <= 6:
            found.append("weekday_invalid")
        if self.closes <= self.opens:
            found.append("hours_invalid")
        if not 0 <= self.counters <= 200:
            found.append("counters_invalid")
        return found


def default_templates() -> list[SlotTemplate]:
    """08:00–18:00 every day of the week for every service (slots still open only on working
    days: a working Saturday uses Saturday's template)."""
    return [
        SlotTemplate(weekday, s.code, DEFAULT_OPENS, DEFAULT_CLOSES, s.default_counters)
        for weekday in range(7)
        for s in SERVICES
    ]


@dataclass(frozen=True)
class PlannedSlot:
    service: ServiceCode
    day: date
    starts_at: datetime  # aware, Moscow
    ends_at: datetime
    capacity: int


def slots_of_day(
    day: date, templates: Iterable[SlotTemplate], duration: Mapping[ServiceCode, timedelta]
) -> Iterator[PlannedSlot]:
    """The slots one day's templates give (the day is assumed open)."""
    for template in templates:
        if template.weekday != day.weekday() or template.counters <= 0:
            continue
        length = duration[template.service]
        start = datetime.combine(day, template.opens, MOSCOW)
        closes = datetime.combine(day, template.closes, MOSCOW)
        while start + length <= closes:
            yield PlannedSlot(template.service, day, start, start + length, template.counters)
            start += length


def open_days(
    start: date, end: date, calendar: WorkingCalendar, closed: Iterable[date] = ()
) -> Iterator[date]:
    """The days from ``start`` to ``end`` on which the centre receives visitors: working days
    of the production calendar that the centre has not closed."""
    shut = set(closed)
    for day in calendar.working_days(start, end):
        if day not in shut:
            yield day


def planned_slots(
    start: date,
    end: date,
    calendar: WorkingCalendar,
    templates: Iterable[SlotTemplate],
    closed: Iterable[date] = (),
) -> list[PlannedSlot]:
    durations = {s.code: s.duration for s in SERVICES}
    all_templates = list(templates)
    return [
        slot
        for day in open_days(start, end, calendar, closed)
        for slot in slots_of_day(day, all_templates, durations)
    ]


# --- tickets ---------------------------------------------------------------------------------

CODE_LENGTH = 8
CODE_RANDOM_BYTES = 5  # 40 bits
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_IGNORED = str.maketrans("", "", " -\u2010\u2011\u2012\u2013\u2014\t")


def ticket_code_from(random_bytes: bytes) -> str:
    """A ticket code (8 characters of Crockford's base32) from 5 random bytes."""
    if len(random_bytes) < CODE_RANDOM_BYTES:
        raise ValueError("a ticket code needs 5 random bytes")
    number = int.from_bytes(random_bytes[:CODE_RANDOM_BYTES], "big")
    chars = []
    for _ in range(CODE_LENGTH):
        chars.append(ALPHABET[number & 31])
        number >>= 5
    return "".join(reversed(chars))


def grouped_code(code: str) -> str:
    """``7KQ3M9XD`` → ``7KQ3-M9XD``."""
    return f"{code[:4]}-{code[4:]}"


def normalise_code(typed: str) -> str | None:
    """What an operator typed or a camera read (the code, or the check-in address ending in
    ``code=…``), in canonical form; None if it cannot be a ticket code."""
    text = typed.strip()
    if "code=" in text:
        text = text.rsplit("code=", 1)[1].split("&", 1)[0]
    code = text.translate(_IGNORED).upper().translate(_LOOK_ALIKES)
    if len(code) != CODE_LENGTH or any(char not in ALPHABET for char in code):
        return None
    return code


# --- reminders -------------------------------------------------------------------------------

REMINDER_LEAD: Mapping[ReminderKind, timedelta] = {
    ReminderKind.day_before: timedelta(hours=24),
    ReminderKind.two_hours: timedelta(hours=2),
}


def reminder_due(starts_at: datetime, now: datetime) -> ReminderKind | None:
    """The reminder that is due now for a visit at ``starts_at``, if any: the day before (from
    24 hours ahead), then two hours before; none once the visit has started."""
    if now >= starts_at:
        return None
    if now >= starts_at - REMINDER_LEAD[ReminderKind.two_hours]:
        return ReminderKind.two_hours
    if now >= starts_at - REMINDER_LEAD[ReminderKind.day_before]:
        return ReminderKind.day_before
    return None
