"""Enrolment: the person record behind a card, the person's profile and language, their
eligibility explained in plain words, and the children they register (SPEC §3, §4).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from amina.adapters.db.identity.tables import CardRow, DependantRow, DeviceRow, PersonRow
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.domain.calendar import moscow_date
from amina.domain.cards import COUNTRY_CODES, Card
from amina.domain.eligibility import (
    EligibilityAnswer,
    EligibilityFacts,
    EligibilityStatus,
    Purpose,
    age_on,
    evaluate,
)
from amina.i18n import LANGUAGES, N_
from amina.services.clock import Clock
from amina.services.errors import AminaError, ErrorKind, FieldError
from amina.services.identity.cards import card_from_row
from amina.services.policy.versions import policy_book

#: Before a person has registered an address, eligibility is judged as if they stay in Moscow:
#: the card was issued by the Moscow MMC, and both regions follow the same rules.
ASSUMED_REGION = "RU-MOW"

#: Plain words for each answer, by ``reason`` (SPEC §3). Shown to the person in their language.
EXPLANATIONS: dict[str, str] = {
    "covered": N_(
        "You must register your place of stay in Amina and keep the app on your phone "
        "sending your location. You do not need to visit the migration centre for this, and "
        "your landlord does not file a notification about you."
    ),
    "exempt_citizenship": N_(
        "You do not have to use Amina: citizens of your country are exempt. Your place of stay "
        "is registered in the usual way."
    ),
    "exempt_minor": N_(
        "You do not have to use Amina yourself: children under 18 are exempt. A parent who uses "
        "Amina registers their children in their own account."
    ),
    "exempt_diplomat": N_(
        "You do not have to use Amina: diplomats are exempt. Your place of stay is registered "
        "in the usual way."
    ),
    "exempt_diplomat_family": N_(
        "You do not have to use Amina: members of diplomats' families are exempt. Your place "
        "of stay is registered in the usual way."
    ),
    "exempt_international_org_staff": N_(
        "You do not have to use Amina: staff of international organisations are exempt. Your "
        "place of stay is registered in the usual way."
    ),
    "no_rule_applies": N_(
        "Amina does not apply to you on this date. Your place of stay is registered in the "
        "usual way. If your purpose of stay changes, check again."
    ),
}
HEADLINES: dict[EligibilityStatus, str] = {
    EligibilityStatus.required: N_("You must use Amina"),
    EligibilityStatus.exempt: N_("You are exempt"),
    EligibilityStatus.not_covered: N_("Amina does not apply to you"),
}


def person_not_found() -> AminaError:
    return AminaError(
        "person_not_found",
        ErrorKind.not_found,
        N_("Person not found"),
        N_("No person matches what was entered."),
    )


@dataclass(frozen=True)
class Person:
    id: str
    card: Card
    language: str
    language_chosen: bool
    created_at: datetime
    enrolled_at: datetime | None


def _person(row: PersonRow, card_row: CardRow) -> Person:
    return Person(
        id=row.id,
        card=card_from_row(card_row),
        language=row.language,
        language_chosen=row.language_chosen,
        created_at=row.created_at,
        enrolled_at=row.enrolled_at,
    )


def load_person(uow: UnitOfWork, person_id: str) -> Person:
    found = uow.session.execute(
        select(PersonRow, CardRow)
        .join(CardRow, CardRow.card_number == PersonRow.card_number)
        .where(PersonRow.id == person_id)
    ).first()
    if found is None:
        raise person_not_found()
    return _person(found[0], found[1])


def person_for_card(uow: UnitOfWork, card: Card, now: datetime, language: str) -> PersonRow:
    """The person who holds ``card``, created on first sight.

    A new card on the same passport (a replacement for a lost one) belongs to the same person:
    the person follows the card. Serialised on the card row so that two first sign-ins at the
    same moment make one person.
    """
    uow.session.get(CardRow, card.number, with_for_update=True)
    row = uow.session.scalar(select(PersonRow).where(PersonRow.card_number == card.number))
    if row is not None:
        return row
    row = uow.session.scalars(
        select(PersonRow)
        .join(CardRow, CardRow.card_number == PersonRow.card_number)
        .where(
            CardRow.citizenship == card.citizenship,
            CardRow.passport_number == card.passport_number,
            CardRow.date_of_birth == card.date_of_birth,
        )
        .order_by(PersonRow.created_at)
    ).first()
    if row is not None:
        row.card_number = card.number
        return row
    row = PersonRow(
        id=str(uuid.uuid4()),
        card_number=card.number,
        language=language if language in LANGUAGES else "ru",
        language_chosen=False,
        created_at=now,
        enrolled_at=None,
    )
    uow.session.add(row)
    uow.session.flush()
    return row


def facts_of(card: Card) -> EligibilityFacts:
    return EligibilityFacts(
        citizenship=card.citizenship,
        date_of_birth=card.date_of_birth,
        purpose=card.purpose or Purpose.other,
        region=ASSUMED_REGION,
        intended_stay_days=card.intended_stay_days,
        category=card.category,
    )


def eligibility_of(uow: UnitOfWork, card: Card, on: date) -> EligibilityAnswer:
    return evaluate(facts_of(card), on, policy_book(uow).in_force_on(on))


@dataclass(frozen=True)
class Dependant:
    id: str
    surname_lat: str
    given_names_lat: str
    surname_cyr: str | None
    given_names_cyr: str | None
    date_of_birth: date
    citizenship: str
    created_at: datetime


def _dependant(row: DependantRow) -> Dependant:
    return Dependant(
        id=row.id,
        surname_lat=row.surname_lat,
        given_names_lat=row.given_names_lat,
        surname_cyr=row.surname_cyr,
        given_names_cyr=row.given_names_cyr,
        date_of_birth=row.date_of_birth,
        citizenship=row.citizenship,
        created_at=row.created_at,
    )


@dataclass(frozen=True)
class Profile:
    person: Person
    today: date
    eligibility: EligibilityAnswer
    may_add_dependants: bool
    dependants: tuple[Dependant, ...]
    device_bound: bool


def _dependants(uow: UnitOfWork, person_id: str) -> tuple[Dependant, ...]:
    rows = uow.session.scalars(
        select(DependantRow)
        .where(DependantRow.person_id == person_id)
        .order_by(DependantRow.created_at, DependantRow.id)
    ).all()
    return tuple(_dependant(row) for row in rows)


def may_add_dependants(answer: EligibilityAnswer) -> bool:
    """Only an adult who must use Amina registers children (SPEC §3)."""
    return answer.status is EligibilityStatus.required


def profile(uow_factory: UnitOfWorkFactory, clock: Clock, person_id: str) -> Profile:
    """The signed-in person's own profile (the person only)."""
    today = moscow_date(clock.now())
    with uow_factory() as uow:
        person = load_person(uow, person_id)
        answer = eligibility_of(uow, person.card, today)
        device = uow.session.scalar(
            select(DeviceRow.id).where(
                DeviceRow.person_id == person_id, DeviceRow.retired_at.is_(None)
            )
        )
        return Profile(
            person=person,
            today=today,
            eligibility=answer,
            may_add_dependants=may_add_dependants(answer),
            dependants=_dependants(uow, person_id),
            device_bound=device is not None,
        )


def choose_language(uow_factory: UnitOfWorkFactory, person_id: str, language: str) -> None:
    """The person picks the language everything they read comes in (the person only)."""
    if language not in LANGUAGES:
        raise AminaError(
            "validation_failed",
            ErrorKind.invalid,
            N_("Some fields are not valid"),
            N_("Correct the fields listed and send the request again."),
            errors=[
                FieldError("language", "language_unsupported", N_("Choose one of the languages."))
            ],
        )
    with uow_factory() as uow:
        row = uow.session.get(PersonRow, person_id)
        if row is None:
            raise person_not_found()
        row.language = language
        row.language_chosen = True
        uow.commit()


def eligibility_on(uow_factory: UnitOfWorkFactory, person_id: str, on: date) -> EligibilityAnswer:
    """The person's eligibility on a date (the person only)."""
    with uow_factory() as uow:
        return eligibility_of(uow, load_person(uow, person_id).card, on)


def dependants(uow_factory: UnitOfWorkFactory, person_id: str) -> tuple[Dependant, ...]:
    """The children registered under the person (the person only)."""
    with uow_factory() as uow:
        return _dependants(uow, person_id)


@dataclass(frozen=True)
class NewDependant:
    surname_lat: str
    given_names_lat: str
    surname_cyr: str | None
    given_names_cyr: str | None
    date_of_birth: date
    citizenship: str


def _not_a_child(adult_age: int) -> AminaError:
    return AminaError(
        "validation_failed",
        ErrorKind.invalid,
        N_("Some fields are not valid"),
        N_("Correct the fields listed and send the request again."),
        errors=[
            FieldError(
                "date_of_birth",
                "not_a_child",
                N_("Only children under %(age)s can be added."),
                {"age": adult_age},
            )
        ],
    )


def dependants_not_allowed() -> AminaError:
    return AminaError(
        "dependants_not_allowed",
        ErrorKind.forbidden,
        N_("You cannot add children"),
        N_(
            "Only an adult who must use Amina registers their children here. Children of people "
            "who are exempt or not covered are registered in the usual way."
        ),
    )


def add_dependant(uow: UnitOfWork, clock: Clock, person_id: str, child: NewDependant) -> Dependant:
    """A covered adult adds their child (the person only). In the caller's unit of work, so
    that an Idempotency-Key can be stored with it; the caller commits."""
    today = moscow_date(clock.now())
    person = load_person(uow, person_id)
    policy = policy_book(uow).in_force_on(today)
    answer = evaluate(facts_of(person.card), today, policy)
    if not may_add_dependants(answer):
        raise dependants_not_allowed()
    adult_age = policy.exemptions.adult_age
    if child.date_of_birth > today or age_on(child.date_of_birth, today) >= adult_age:
        raise _not_a_child(adult_age)
    if child.citizenship not in COUNTRY_CODES:
        raise AminaError(
            "validation_failed",
            ErrorKind.invalid,
            N_("Some fields are not valid"),
            N_("Correct the fields listed and send the request again."),
            errors=[
                FieldError(
                    "citizenship", "citizenship_unknown", N_("Choose a country from the list.")
                )
            ],
        )
    row = DependantRow(
        person_id=person_id,
        id=str(uuid.uuid4()),
        surname_lat=child.surname_lat,
        given_names_lat=child.given_names_lat,
        surname_cyr=child.surname_cyr,
        given_names_cyr=child.given_names_cyr,
        date_of_birth=child.date_of_birth,
        citizenship=child.citizenship,
        created_at=clock.now(),
    )
    uow.session.add(row)
    uow.session.flush()
    return _dependant(row)
