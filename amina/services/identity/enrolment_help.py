"""Staff help with enrolment (SPEC §2 "MMC operator"): find a person by card or passport after
stating a purpose, resend a sign-in code to the phone on file, mark a card lost.

Every call checks the role (``amina.domain.roles``) and writes an audit entry with the stated
purpose in the same transaction; the person sees it in their access log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from amina.adapters.db.identity.tables import DeviceRow, OtpChallengeRow
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.domain.cards import (
    Card,
    masked_phone,
    normalise_card_number,
    normalise_passport_number,
    normalise_phone,
)
from amina.domain.roles import Permission
from amina.i18n import N_
from amina.services.audit.trail import (
    MIN_PURPOSE_LENGTH,
    Actor,
    Purpose,
    purpose_required,
    record_access,
)
from amina.services.clock import Clock
from amina.services.delivery.outbox import WakeOutbox
from amina.services.errors import AminaError, ErrorKind
from amina.services.identity.cards import (
    card_numbered,
    cards_named,
    cards_of_passport,
    cards_with_phone,
    mark_card_lost,
)
from amina.services.identity.enrolment import (
    Person,
    load_person,
    person_for_card,
    person_not_found,
)
from amina.services.identity.sign_in import SignInKeys, clear_lock, reissue_code, sign_in_rules
from amina.services.staff.permissions import require

#: What a search shows, recorded in the audit entry (the person sees it).
SEARCH_SHOWS = ("names", "date_of_birth", "citizenship", "card", "phone_masked", "enrolment")


@dataclass(frozen=True)
class CardQuery:
    card_number: str


@dataclass(frozen=True)
class PassportQuery:
    citizenship: str
    passport_number: str


@dataclass(frozen=True)
class NameQuery:
    """A surname (Latin or Cyrillic, as on the card), optionally given names and birth date."""

    surname: str
    given_names: str = ""
    date_of_birth: date | None = None


@dataclass(frozen=True)
class PhoneQuery:
    phone: str


PersonQuery = CardQuery | PassportQuery | NameQuery | PhoneQuery

#: A search by name or phone shows at most this many people; more means "narrow it down"
#: (nobody browses the register), and none of them is shown.
SEARCH_LIMIT = 10


@dataclass(frozen=True)
class PersonSummary:
    person_id: str
    card: Card
    phone_masked: str
    enrolled_at: datetime | None
    language: str
    device_bound: bool


@dataclass(frozen=True)
class CodeResent:
    challenge_id: str
    expires_at: datetime
    sent_to: str  # masked


def _check_purpose(purpose: str | Purpose) -> str | Purpose:
    """Refused before anything is searched (the audit entry would refuse it too, later)."""
    if isinstance(purpose, Purpose):
        if not purpose.is_stated():
            raise purpose_required()
        return purpose
    purpose = purpose.strip()
    if len(purpose) < MIN_PURPOSE_LENGTH:
        raise purpose_required()
    return purpose


def _summary(uow: UnitOfWork, person: Person) -> PersonSummary:
    device = uow.session.scalar(
        select(DeviceRow.id).where(DeviceRow.person_id == person.id, DeviceRow.retired_at.is_(None))
    )
    return PersonSummary(
        person_id=person.id,
        card=person.card,
        phone_masked=masked_phone(person.card.phone),
        enrolled_at=person.enrolled_at,
        language=person.language,
        device_bound=device is not None,
    )


def _card_for(uow: UnitOfWork, query: CardQuery | PassportQuery) -> Card | None:
    if isinstance(query, CardQuery):
        return card_numbered(uow, normalise_card_number(query.card_number))
    cards = cards_of_passport(
        uow, query.citizenship.upper(), normalise_passport_number(query.passport_number)
    )
    # staff find lost and revoked cards too: the newest card issued on the passport
    return max(cards, key=lambda c: (c.valid_to, c.valid_from), default=None)


def find_person(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    query: CardQuery | PassportQuery,
    purpose: str | Purpose,
) -> PersonSummary:
    """An operator finds a card holder by card number or passport, stating why (audited, also
    when nothing is found). A card holder Amina has not seen yet gets a person record, so that
    the help that follows and the person's access log refer to the same person."""
    require(actor, Permission.person_search)
    purpose = _check_purpose(purpose)
    now = clock.now()
    by = "card" if isinstance(query, CardQuery) else "passport"
    with uow_factory() as uow:
        card = _card_for(uow, query)
        if card is None:
            record_access(
                uow,
                clock,
                actor,
                action="person.search",
                purpose=purpose,
                details={"by": by, "found": False},
            )
            uow.commit()
            raise person_not_found()
        row = person_for_card(uow, card, now, "ru")
        record_access(
            uow,
            clock,
            actor,
            action="person.search",
            purpose=purpose,
            person_id=row.id,
            details={"by": by, "found": True, "shown": list(SEARCH_SHOWS)},
        )
        summary = _summary(uow, load_person(uow, row.id))
        uow.commit()
    return summary


def too_many_matches() -> AminaError:
    return AminaError(
        "too_many_matches",
        ErrorKind.invalid,
        N_("Too many people match"),
        N_(
            "More than %(limit)s people match. Add the given names and the date of birth, "
            "or search by card or passport."
        ),
        params={"limit": SEARCH_LIMIT},
    )


def search_query_missing() -> AminaError:
    return AminaError(
        "search_query_missing",
        ErrorKind.invalid,
        N_("Say whom you are looking for"),
        N_("Give a card number, a passport with its citizenship, a surname or a phone number."),
    )


def _search_key(query: PersonQuery) -> str:
    return {
        CardQuery: "card",
        PassportQuery: "passport",
        NameQuery: "name",
        PhoneQuery: "phone",
    }[type(query)]


def _cards_for(uow: UnitOfWork, query: PersonQuery) -> list[Card]:
    if isinstance(query, NameQuery):
        if not query.surname.strip():
            raise search_query_missing()
        return cards_named(
            uow, query.surname, query.given_names, query.date_of_birth, limit=SEARCH_LIMIT + 1
        )
    if isinstance(query, PhoneQuery):
        phone = normalise_phone(query.phone)
        if len(phone) < 8:  # a "+" and at least 7 digits
            raise search_query_missing()
        return cards_with_phone(uow, phone, limit=SEARCH_LIMIT + 1)
    if isinstance(query, CardQuery):
        typed = query.card_number.strip()
    else:
        typed = query.citizenship.strip() and query.passport_number.strip()
    if not typed:
        raise search_query_missing()
    card = _card_for(uow, query)
    return [] if card is None else [card]


def find_people(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    query: PersonQuery,
    purpose: str | Purpose,
) -> list[PersonSummary]:
    """An operator finds people by card number, passport, name or phone, stating why: the
    console's person search. Every person shown gets an audit entry with the purpose (and so
    a line in their access log); a search that shows nobody — no match, or more than
    :data:`SEARCH_LIMIT` — is audited too, without a person."""
    require(actor, Permission.person_search)
    purpose = _check_purpose(purpose)
    now = clock.now()
    by = _search_key(query)
    with uow_factory() as uow:
        cards = _cards_for(uow, query)
        if not cards or len(cards) > SEARCH_LIMIT:
            found = "too_many" if cards else False
            record_access(
                uow,
                clock,
                actor,
                action="person.search",
                purpose=purpose,
                details={"by": by, "found": found},
            )
            uow.commit()
            raise too_many_matches() if cards else person_not_found()
        summaries = []
        for card in cards:
            row = person_for_card(uow, card, now, "ru")
            record_access(
                uow,
                clock,
                actor,
                action="person.search",
                purpose=purpose,
                person_id=row.id,
                details={
                    "by": by,
                    "found": True,
                    "matches": len(cards),
                    "shown": list(SEARCH_SHOWS),
                },
            )
            summaries.append(_summary(uow, load_person(uow, row.id)))
        uow.commit()
    return summaries


def no_sign_in_in_progress() -> AminaError:
    return AminaError(
        "no_sign_in_in_progress",
        ErrorKind.conflict,
        N_("No sign-in in progress"),
        N_(
            "Ask the person to start signing in in the app (card number and date of birth), "
            "then send the code again."
        ),
    )


def card_not_valid() -> AminaError:
    return AminaError(
        "card_not_valid",
        ErrorKind.conflict,
        N_("The card is not valid"),
        N_("Only a valid card can be marked lost. This card is already lost or revoked."),
    )


def resend_code_for(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    wake_outbox: WakeOutbox,
    secret: str,
    actor: Actor,
    person_id: str,
    purpose: str | Purpose,
) -> CodeResent:
    """An operator sends a new code to the phone on file for the sign-in the person has begun
    in the app (audited). The operator has seen the person: the code's tries start again and
    the card's lock-out is lifted, without the resend back-off."""
    require(actor, Permission.person_enrolment_help)
    purpose = _check_purpose(purpose)
    now = clock.now()
    with uow_factory() as uow:
        rules = sign_in_rules(uow, now)
        person = load_person(uow, person_id)
        challenge = uow.session.scalars(
            select(OtpChallengeRow)
            .where(
                OtpChallengeRow.card_number == person.card.number,
                OtpChallengeRow.deliverable.is_(True),
                OtpChallengeRow.consumed_at.is_(None),
                OtpChallengeRow.created_at > now - rules.challenge_lifetime,
            )
            .order_by(OtpChallengeRow.created_at.desc())
            .limit(1)
            .with_for_update()
        ).first()
        if challenge is None:
            raise no_sign_in_in_progress()
        challenge.tries = 0
        clear_lock(uow, challenge.subject_key)
        issued = reissue_code(uow, wake_outbox, SignInKeys(secret), rules, challenge, now)
        record_access(
            uow,
            clock,
            actor,
            action="person.resend_code",
            purpose=purpose,
            person_id=person.id,
            details={"challenge_id": challenge.id},
        )
        uow.commit()
    return CodeResent(issued.challenge_id, issued.expires_at, masked_phone(person.card.phone))


def mark_lost_for(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    person_id: str,
    purpose: str | Purpose,
) -> PersonSummary:
    """An operator marks the person's card lost, e.g. reported at the desk (audited; a card
    event names the operator). The person then signs in by passport."""
    require(actor, Permission.person_enrolment_help)
    purpose = _check_purpose(purpose)
    now = clock.now()
    with uow_factory() as uow:
        person = load_person(uow, person_id)
        marked = mark_card_lost(
            uow,
            now,
            person_id=person.id,
            card_number=person.card.number,
            actor_role=actor.role,
            actor_staff_id=actor.staff_id,
            reason=purpose if isinstance(purpose, str) else purpose.in_english(),
        )
        if not marked:
            raise card_not_valid()
        record_access(
            uow,
            clock,
            actor,
            action="person.mark_card_lost",
            purpose=purpose,
            person_id=person.id,
            details={"card_number": person.card.number},
        )
        summary = _summary(uow, load_person(uow, person.id))
        uow.commit()
    return summary
