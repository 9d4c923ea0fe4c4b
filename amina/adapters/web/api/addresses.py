"""Address search for the registration form (issue 13): ``GET /api/v1/addresses?q=…``.

The person types part of the address ("тверская 7"); the answer lists streets and houses of
the state address register (ГАР) that begin with those words, in reading order, each with its
register id (``gar_id``, sent back as the registration's ``fias_id``), the parts of the address
the registration takes, and the address in words. For a signed-in person (the register is
public data, but the endpoint is not a free geocoder). The query is not logged.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from amina.adapters.web.api.person_auth import current_person
from amina.adapters.web.context import container_of
from amina.domain.address_register import RegisterEntry
from amina.services.addresses.search import SUGGESTIONS, suggest_addresses
from amina.services.identity.sessions import SignedInPerson

router = APIRouter(tags=["addresses"])


class AddressSuggestion(BaseModel):
    gar_id: str = Field(
        description="The state address register's object id (OBJECTID): send it as the "
        "registration's address.fias_id",
        examples=["1010"],
    )
    kind: Literal["street", "house"] = Field(
        description="A street (go on typing the house number) or a house"
    )
    region: Literal["RU-MOW", "RU-MOS"]
    settlement: str = Field(examples=["Москва"])
    street: str = Field(examples=["ул. Тверская"])
    house: str | None = Field(examples=["7"])
    building: str | None = Field(description="корпус", examples=[None])
    text: str = Field(
        description="The address in words, as the slip prints it",
        examples=["Москва, ул. Тверская, д. 7"],
    )


class AddressSuggestions(BaseModel):
    results: list[AddressSuggestion]


def suggestion_out(entry: RegisterEntry) -> AddressSuggestion:
    return AddressSuggestion(
        gar_id=entry.gar_id,
        kind=entry.kind.value,
        region=entry.region,
        settlement=entry.settlement,
        street=entry.street,
        house=entry.house,
        building=entry.building,
        text=entry.text,
    )


@router.get("/api/v1/addresses", response_model=AddressSuggestions)
def search_addresses(
    request: Request,
    q: Annotated[
        str,
        Query(
            max_length=200,
            description="What the person typed: words that begin the address's words "
            '("тверская 7"); type words (ул, дом, корп) are ignored; at least one word of '
            "three letters or digits, else the answer is empty",
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=20)] = SUGGESTIONS,
    _person: SignedInPerson = Depends(current_person),
) -> AddressSuggestions:
    """Streets and houses of Moscow and Moscow Oblast that match what was typed."""
    container = container_of(request)
    found = suggest_addresses(container.addresses, q, limit)
    return AddressSuggestions(results=[suggestion_out(entry) for entry in found])
