"""Whether an address's coordinates agree with its region (with the near-border allowance), how
an address is printed, and what identifies a host."""

from __future__ import annotations

from amina.domain.address import Address, check_place, format_address
from amina.domain.geo import RegionAnswer
from amina.domain.host import Host, HostKind, describe_host, host_problems, inn_is_valid

TVERSKAYA = Address("RU-MOW", "Москва", "ул. Тверская", "7", None, "12", None, 55.7577, 37.6116)


def _answer(region: str | None, near_border: bool = False) -> RegionAnswer:
    return RegionAnswer(region, near_border, 200.0 if near_border else 5000.0)


def test_coordinates_in_the_named_region_are_accepted() -> None:
    check = check_place(TVERSKAYA, _answer("RU-MOW"))
    assert check.accepted
    assert not check.near_border


def test_coordinates_in_the_other_region_are_a_problem_of_the_region_field() -> None:
    check = check_place(TVERSKAYA, _answer("RU-MOS"))
    assert [(p.field, p.code) for p in check.problems] == [
        ("address.region", "region_does_not_match_coordinates")
    ]


def test_coordinates_outside_both_regions_are_a_problem_of_the_coordinates() -> None:
    check = check_place(TVERSKAYA, _answer(None))
    assert [(p.field, p.code) for p in check.problems] == [
        ("address.lat", "coordinates_outside_regions")
    ]


def test_near_a_border_the_region_is_taken_as_given_and_flagged_whatever_the_data_says() -> None:
    for data_says in ("RU-MOW", "RU-MOS", None):
        check = check_place(TVERSKAYA, _answer(data_says, near_border=True))
        assert check.accepted
        assert check.near_border


def test_an_address_is_printed_the_russian_way() -> None:
    assert format_address(TVERSKAYA) == "Москва, ул. Тверская, д. 7, кв. 12"
    podolsk = Address("RU-MOS", "Подольск", "ул. Кирова", "10", "2", "41", None, 55.43, 37.55)
    assert format_address(podolsk) == (
        "Московская область, Подольск, ул. Кирова, д. 10, корп. 2, кв. 41"
    )


def test_taxpayer_numbers_are_checked_by_their_check_digits() -> None:
    assert inn_is_valid("7707083893")  # a legal entity (10 digits)
    assert inn_is_valid("500100732259")  # an individual entrepreneur (12 digits)
    assert not inn_is_valid("7707083894")
    assert not inn_is_valid("500100732250")
    assert not inn_is_valid("77070838")
    assert not inn_is_valid("77070838９３")


def test_a_host_is_identified_by_a_document_or_by_a_taxpayer_number() -> None:
    person = Host(HostKind.person, "Иванова Мария", None, None)
    organisation = Host(HostKind.organisation, "ООО «Ромашка»", None, None)
    assert [(p.field, p.code) for p in host_problems(person)] == [
        ("host.document", "host_document_required")
    ]
    assert [(p.field, p.code) for p in host_problems(organisation)] == [
        ("host.inn", "host_inn_required")
    ]
    named = Host(HostKind.organisation, "ООО «Ромашка»", None, "7707083893")
    assert host_problems(named) == []
    assert describe_host(named) == "ООО «Ромашка», ИНН 7707083893"
