"""Reading the card register (the ``cards`` table) as domain cards, and the card events."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select

from amina.adapters.db.identity.tables import CardEventRow, CardRow
from amina.adapters.db.uow import UnitOfWork
from amina.domain.cards import Card, CardStatus
from amina.domain.eligibility import Category, Purpose


def card_from_row(row: CardRow) -> Card:
    return Card(
        number=row.card_number,
        surname_lat=row.surname_lat,
        given_names_lat=row.given_names_lat,
        surname_cyr=row.surname_cyr,
        given_names_cyr=row.given_names_cyr,
        date_of_birth=row.date_of_birth,
        citizenship=row.citizenship,
        passport_number=row.passport_number,
        phone=row.phone,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        status=CardStatus(row.status),
        purpose=Purpose(row.purpose) if row.purpose else None,
        intended_stay_days=row.intended_stay_days,
        category=Category(row.category),
    )


def card_columns(card: Card) -> dict[str, Any]:
    """The register's columns for ``card`` (everything but the bookkeeping times)."""
    return {
        "card_number": card.number,
        "surname_lat": card.surname_lat,
        "given_names_lat": card.given_names_lat,
        "surname_cyr": card.surname_cyr,
        "given_names_cyr": card.given_names_cyr,
        "date_of_birth": card.date_of_birth,
        "citizenship": card.citizenship,
        "passport_number": card.passport_number,
        "phone": card.phone,
        "valid_from": card.valid_from,
        "valid_to": card.valid_to,
        "status": card.status.value,
        "purpose": card.purpose.value if card.purpose else None,
        "intended_stay_days": card.intended_stay_days,
        "category": card.category.value,
    }


def card_numbered(uow: UnitOfWork, number: str) -> Card | None:
    row = uow.session.get(CardRow, number)
    return None if row is None else card_from_row(row)


def cards_of_passport(uow: UnitOfWork, citizenship: str, passport_number: str) -> list[Card]:
    rows = uow.session.scalars(
        select(CardRow).where(
            CardRow.citizenship == citizenship, CardRow.passport_number == passport_number
        )
    ).all()
    return [card_from_row(row) for row in rows]


def _casings(text: str) -> list[str]:
    """The ways a register writes a name (dialect-free: SQLite's lower() knows only ASCII)."""
    text = " ".join(text.split())
    return sorted({text, text.upper(), text.lower(), text.title(), text.capitalize()})


def cards_named(
    uow: UnitOfWork,
    surname: str,
    given_names: str = "",
    date_of_birth: date | None = None,
    *,
    limit: int,
) -> list[Card]:
    """Cards whose surname (Latin or Cyrillic) is ``surname``, optionally with these given
    names and this date of birth; at most ``limit``, in card-number order."""
    surnames = _casings(surname)
    query = select(CardRow).where(
        or_(CardRow.surname_lat.in_(surnames), CardRow.surname_cyr.in_(surnames))
    )
    if given_names.strip():
        given = _casings(given_names)
        query = query.where(
            or_(CardRow.given_names_lat.in_(given), CardRow.given_names_cyr.in_(given))
        )
    if date_of_birth is not None:
        query = query.where(CardRow.date_of_birth == date_of_birth)
    rows = uow.session.scalars(query.order_by(CardRow.card_number).limit(limit)).all()
    return [card_from_row(row) for row in rows]


def cards_with_phone(uow: UnitOfWork, phone: str, *, limit: int) -> list[Card]:
    """Cards whose phone on file is ``phone`` (international form, ``+7…``)."""
    rows = uow.session.scalars(
        select(CardRow).where(CardRow.phone == phone).order_by(CardRow.card_number).limit(limit)
    ).all()
    return [card_from_row(row) for row in rows]


def mark_card_lost(
    uow: UnitOfWork,
    now: datetime,
    *,
    person_id: str,
    card_number: str,
    actor_role: str,
    actor_staff_id: str | None,
    reason: str,
) -> bool:
    """Mark a valid card lost and record the event. False if the card was not valid."""
    row = uow.session.get(CardRow, card_number, with_for_update=True)
    if row is None or row.status != CardStatus.valid.value:
        return False
    row.status = CardStatus.lost.value
    row.updated_at = now
    uow.session.add(
        CardEventRow(
            person_id=person_id,
            id=str(uuid.uuid4()),
            card_number=card_number,
            kind="marked_lost",
            occurred_at=now,
            actor_role=actor_role,
            actor_staff_id=actor_staff_id,
            reason=reason,
            details={},
        )
    )
    return True


def card_events(uow: UnitOfWork, person_id: str) -> list[CardEventRow]:
    """The events on the person's cards, oldest first."""
    return list(
        uow.session.scalars(
            select(CardEventRow)
            .where(CardEventRow.person_id == person_id)
            .order_by(CardEventRow.occurred_at)
        ).all()
    )
