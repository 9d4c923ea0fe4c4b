"""Card register rows (amina.domain.cards): every reason a row is refused, normalised
numbers, and which cards open sign-in."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from amina.domain.cards import (
    CardRowRejected,
    CardStatus,
    SignInMethod,
    card_for_passport,
    masked_phone,
    normalise_card_number,
    parse_card_row,
)

TODAY = date(2025, 11, 5)
ROW: dict[str, Any] = {
    "card_number": "77 25-000001",
    "surname_lat": "Karimov",
    "given_names_lat": "Aziz",
    "surname_cyr": "Каримов",
    "given_names_cyr": "Азиз",
    "date_of_birth": "1990-03-14",
    "citizenship": "uz",
    "passport_number": "FA 1234567",
    "phone": "+7 900 100-00-01",
    "valid_from": "2025-03-01",
    "valid_to": "2028-02-29",
    "status": "valid",
}


def test_a_good_row_is_normalised() -> None:
    card = parse_card_row(ROW, TODAY)
    assert (card.number, card.citizenship, card.passport_number, card.phone) == (
        "7725000001",
        "UZ",
        "FA1234567",
        "+79001000001",
    )
    assert card.purpose is None
    assert card.category.value == "none"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"card_number": "12"}, "card_number: 6 to 20 letters or digits"),
        ({"surname_lat": "Каримов"}, "surname_lat: Latin letters only"),
        ({"given_names_cyr": "Aziz"}, "given_names_cyr: Cyrillic letters only"),
        ({"citizenship": "SU"}, "citizenship: not an ISO 3166-1 alpha-2 country code"),
        ({"date_of_birth": "2030-01-01"}, "date_of_birth: in the future"),
        ({"valid_to": "2025-01-01"}, "valid_to: before valid_from"),
        ({"status": "stolen"}, "status: one of valid, lost, revoked"),
        ({"purpose": "fun"}, "purpose: one of work, study, private, tourism, other"),
        ({"intended_stay_days": "-3"}, "intended_stay_days: a whole number of days (0 to 36500)"),
        ({"phone": "89001000001"}, "phone: not an E.164 number"),
        ({"employer": "ООО"}, "unknown field(s): employer"),
        ({"passport_number": ""}, "passport_number: missing"),
    ],
)
def test_each_problem_is_named(change: dict[str, Any], reason: str) -> None:
    with pytest.raises(CardRowRejected) as rejected:
        parse_card_row({**ROW, **change}, TODAY)
    assert reason in rejected.value.reasons


def test_every_reason_of_a_row_is_reported_at_once() -> None:
    with pytest.raises(CardRowRejected) as rejected:
        parse_card_row({**ROW, "phone": "x", "status": "?", "citizenship": "??"}, TODAY)
    assert len(rejected.value.reasons) == 3


def test_only_a_valid_card_in_force_opens_sign_in_by_card_and_a_lost_one_by_passport() -> None:
    card = parse_card_row(ROW, TODAY)
    born = card.date_of_birth
    assert card.opens_sign_in(SignInMethod.card, born, TODAY)
    assert not card.opens_sign_in(SignInMethod.card, date(1990, 3, 15), TODAY)
    assert not card.opens_sign_in(SignInMethod.card, born, date(2028, 3, 1))
    lost = parse_card_row({**ROW, "status": "lost"}, TODAY)
    revoked = parse_card_row({**ROW, "status": "revoked"}, TODAY)
    assert not lost.opens_sign_in(SignInMethod.card, born, TODAY)
    assert lost.opens_sign_in(SignInMethod.passport, born, TODAY)
    assert not revoked.opens_sign_in(SignInMethod.passport, born, TODAY)
    newer = parse_card_row({**ROW, "card_number": "7725000099", "valid_to": "2029-01-01"}, TODAY)
    assert card_for_passport([lost, newer, revoked], born, TODAY) == newer
    assert lost.status is CardStatus.lost


def test_numbers_are_typed_any_way_and_phones_are_shown_masked() -> None:
    assert normalise_card_number(" 77-25 000001 ") == "7725000001"
    assert masked_phone("+79001000001") == "+7 ••• •••-••-01"


def test_a_phone_typed_at_the_desk_matches_the_register_form() -> None:
    from amina.domain.cards import normalise_phone

    assert normalise_phone("8 (900) 111-00-01") == "+79001110001"
    assert normalise_phone("+7 900 111 00 01") == "+79001110001"
    assert normalise_phone("998 90 123 45 67") == "+998901234567"
