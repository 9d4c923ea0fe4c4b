"""The address of a registration and whether its coordinates agree with it (SPEC §5, issues 4
and 13).

An address names its region (RU-MOW or RU-MOS). Its coordinates are optional (issue 13): a
person registers by the address's words — chosen from the state address register or typed —
and the region comes from the address; the coordinates are added later, only with the
person's consent ("I am at this address now", or the phone's usual place at night). When they
are given, they must lie in the address's region. The boundary outlines are simplified, so
within the policy's ``border_margin_m`` of a border the region cannot be decided from the
coordinates: such an address is accepted and flagged ``near_border`` — an uncertainty a person
can see and an officer can check, never a silent decision either way.
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
    #: The building's coordinates; None until the person gives them (issue 13).
    lat: float | None = None
    lon: float | None = None

    @property
    def located(self) -> bool:
        """Whether the coordinates are known (both of them)."""
        return self.lat is not None and self.lon is not None


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


def check_place(address: Address, answer: RegionAnswer | None) -> PlaceCheck:
    """Do the coordinates lie in the region the address names?

    ``answer`` is the region classifier's answer for the address's coordinates (None when the
    address has none: then the region is the address's own, and nothing is checked against
    it). Near a border the answer is uncertain: the address is accepted as given and flagged.
    Only one of the two coordinates is refused: both or neither.
    """
    if address.region not in REGIONS:
        return PlaceCheck((AddressProblem("address.region", "region_not_covered"),), False)
    if (address.lat is None) != (address.lon is None):
        missing = "address.lat" if address.lat is None else "address.lon"
        return PlaceCheck((AddressProblem(missing, "coordinates_incomplete"),), False)
    if answer is None or not address.located:
        return PlaceCheck((), False)
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
    if address.house.strip():  # a street of the address register, before its house is chosen
        parts.append(f"д. {address.house.strip()}")
    if address.building and address.building.strip():
        parts.append(f"корп. {address.building.strip()}")
    if address.flat and address.flat.strip():
        parts.append(f"кв. {address.flat.strip()}")
    return ", ".join(part for part in parts if part)
