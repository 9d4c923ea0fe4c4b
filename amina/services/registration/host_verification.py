"""Host verification (SPEC §5): what a host sees for the code on a registration slip.

Only what proves the registration: valid or not, the initials, the address and the date it is
valid until. Never a name, a document or the reason a registration is not valid.
"""

from __future__ import annotations

from sqlalchemy import select

from amina.adapters.db.identity.tables import CardRow, PersonRow
from amina.adapters.db.registration.tables import RegistrationCodeRow, RegistrationRow
from amina.adapters.db.uow import UnitOfWork
from amina.domain.address import Address, format_address
from amina.domain.calendar import moscow_date
from amina.domain.registration import RegistrationStatus, holds_the_place
from amina.domain.slip import HostView, initials, is_valid_on, normalise
from amina.services.clock import Clock


def verify_slip(uow: UnitOfWork, clock: Clock, typed_code: str) -> HostView | None:
    """What a host may see for a slip code (anyone may call this; callers rate-limit it).

    None for a code that is malformed or unknown: the two are indistinguishable outside.
    A registration that no longer holds the place, or whose stay has ended, is "not valid",
    without saying why.
    """
    code = normalise(typed_code)
    if code is None:
        return None
    # whose code it is (the lookup table keyed by the code), then the registration on that
    # person's shard (docs/scale-out.md)
    owner = uow.session.execute(
        select(RegistrationCodeRow.person_id, RegistrationCodeRow.registration_id).where(
            RegistrationCodeRow.slip_code == code
        )
    ).first()
    if owner is None:
        return None
    found = uow.session.execute(
        select(RegistrationRow, CardRow)
        .join(PersonRow, PersonRow.id == RegistrationRow.person_id)
        .join(CardRow, CardRow.card_number == PersonRow.card_number)
        .where(
            RegistrationRow.person_id == owner.person_id,
            RegistrationRow.id == owner.registration_id,
        )
    ).first()
    if found is None:
        return None
    row, card = found
    holds = holds_the_place(RegistrationStatus(row.status))
    valid = is_valid_on(holds, row.stay_to, moscow_date(clock.now()))
    address = Address(
        row.region,
        row.settlement,
        row.street,
        row.house,
        row.building,
        row.flat,
        row.fias_id,
        row.lat,
        row.lon,
    )
    return HostView(
        valid=valid,
        initials=initials(card.given_names_lat, card.surname_lat),
        address=format_address(address),
        valid_until=row.stay_to if valid else None,
    )
