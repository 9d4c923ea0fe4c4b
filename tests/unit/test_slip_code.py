"""Slip codes: 65 random bits in 13 characters a person can type, read back generously, and
the initials a host sees."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from amina.domain.slip import (
    ALPHABET,
    BITS,
    LENGTH,
    RANDOM_BYTES,
    grouped,
    initials,
    is_valid_on,
    normalise,
    slip_code_from,
)

random_bytes = st.binary(min_size=RANDOM_BYTES, max_size=RANDOM_BYTES)


def test_a_slip_code_carries_at_least_60_random_bits() -> None:
    assert LENGTH == 13
    assert BITS == 65
    assert BITS >= 60
    assert len(ALPHABET) == 32  # 5 bits a character


@given(random_bytes)
def test_a_slip_code_is_13_characters_of_crockfords_alphabet(data: bytes) -> None:
    code = slip_code_from(data)
    assert len(code) == 13
    assert set(code) <= set(ALPHABET)
    assert not set(code) & set("ILOU")  # letters that look like others are never printed


@given(random_bytes, random_bytes)
def test_different_random_bits_give_different_codes(one: bytes, other: bytes) -> None:
    # every one of the 65 bits reaches the code: codes equal only when the bits are equal
    mask = (1 << 72) - (1 << 7)
    same_bits = int.from_bytes(one, "big") & mask == int.from_bytes(other, "big") & mask
    assert (slip_code_from(one) == slip_code_from(other)) == same_bits


@given(random_bytes)
def test_what_a_host_types_is_read_back_however_it_is_spaced_or_cased(data: bytes) -> None:
    code = slip_code_from(data)
    printed = grouped(code)
    assert printed.replace("-", "") == code
    assert normalise(printed) == code
    assert normalise(printed.lower()) == code
    assert normalise(" ".join(code)) == code


def test_letters_that_look_like_digits_are_read_as_the_digits() -> None:
    assert normalise("o1il-0000-00000") == "0111000000000"


def test_anything_else_is_not_a_slip_code() -> None:
    assert normalise("7KQ3-M9XD-2HWP") is None  # one character short
    assert normalise("7KQ3-M9XD-2HWPAA") is None
    assert normalise("7KQ3-M9XD-2HWPU") is None  # U is not in the alphabet
    assert normalise("") is None


def test_a_host_sees_the_initials_of_the_first_given_name_and_the_surname() -> None:
    assert initials("Aziz Rustamovich", "Karimov") == "A. K."
    assert initials("farhod", "rahimov") == "F. R."


def test_a_slip_is_valid_while_the_registration_holds_the_place_and_the_stay_lasts() -> None:
    from datetime import date

    last_day = date(2026, 11, 4)
    assert is_valid_on(True, last_day, last_day)
    assert not is_valid_on(True, last_day, date(2026, 11, 5))
    assert not is_valid_on(False, last_day, date(2025, 11, 5))
