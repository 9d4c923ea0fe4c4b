"""The address of a registration and whether its coordinates agree with it (SPEC §5, issue 4).

An address names its region (RU-MOW or RU-MOS) and carries the coordinates of the building.
The coordinates must lie in that region. The boundary outlines are simplified, so within the
policy's ``border_margin_m`` of a border the region cannot be decided from the coordinates: such
an address is accepted and flagged ``near_border`` — an uncertainty a person can see and an
officer can check, never a silent decision either way.
"""

from __future__ import annotations

from dataclasses import dataclass

from amina.domain.geo import RegionAnswer

#: The regions in which Amina applies, by ISO 3166-2 code, with their names on documents.
REGIONS: dict[str, str] = {"RU-MOW": "Москва", "RU-MOS": "Московская область"}


@dataclass(frozen=True)
class Address:
    region: str
    settlement: str
    street: str
    house: str
    building: str | None
    flat: str | None
    fias_id: str | None
    lat: float
    lon: float


@dataclass(frozen=True)
class AddressProblem:
    field: str
    code: str


@dataclass(frozen=True)
class PlaceCheck:
    """The outcome of checking an address's coordinates against its region."""

    problems: tuple[AddressProblem, ...]
    near_border: bool

    @property
    def accepted(self) -> bool:
        return not self.problems


def check_place(address: Address, answer: RegionAnswer) -> PlaceCheck:
    """Do the coordinates lie in the region the address names?

    ``answer`` is the region classifier's answer for the address's coordinates. Near a border
    the answer is uncertain: the address is accepted as given and flagged.
    """
    if address.region not in REGIONS:
        return PlaceCheck((AddressProblem("address.region", "region_not_covered"),), False)
    if answer.near_border:
        return PlaceCheck((), True)
    if answer.region is None:
        return PlaceCheck((AddressProblem("address.lat", "coordinates_outside_regions"),), False)
    if answer.region != address.region:
        return PlaceCheck(
            (AddressProblem("address.region", "region_does_not_match_coordinates"),), False
        )
    return PlaceCheck((), False)


def format_address(address: Address) -> str:
    """The address in one line, the Russian way: region, settlement, street, house, flat.

    The settlement is left out when it only repeats the city's name (Moscow).
    """
    parts: list[str] = [REGIONS.get(address.region, address.region)]
    settlement = address.settlement.strip()
    if settlement and settlement.casefold() not in ("москва", "г. москва", "г.москва"):
        parts.append(settlement)
    parts.append(address.street.strip())
    parts.append(f"д. {address.house.strip()}")
    if address.building and address.building.strip():
        parts.append(f"корп. {address.building.strip()}")
    if address.flat and address.flat.strip():
        parts.append(f"кв. {address.flat.strip()}")
    return ", ".join(part for part in parts if part)
