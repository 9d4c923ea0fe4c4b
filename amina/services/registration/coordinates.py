"""The building's coordinates, added to a registration after it was made, always by the person
(issue 13):

- "I am at this address now — use my location": the phone's fix, sent by the app
  (:func:`add_coordinates_here`);
- "Your phone is usually here at night — is this your home?": the suggestion
  (:func:`night_place_suggestion`) and the answer "yes" (:func:`accept_night_place`), which
  stores the usual place at night (amina.domain.night_place).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from amina.adapters.db.registration import store
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.domain.night_place import LOOKBACK_DAYS, NightPlace, usual_night_place
from amina.i18n import N_
from amina.services.clock import Clock
from amina.services.errors import AminaError, ErrorKind
from amina.services.registration.registrations import (
    LocationSource,
    RegionClassifiers,
    Registration,
    current_registration,
    locate_registration,
)


@dataclass(frozen=True)
class NightPlaceSuggestion:
    registration_id: str
    place: NightPlace


def _usual_place(uow: UnitOfWork, clock: Clock, person_id: str) -> NightPlace | None:
    now = clock.now()
    return usual_night_place(
        store.night_fixes(uow, person_id, now - timedelta(days=LOOKBACK_DAYS), now)
    )


def night_place_suggestion(
    uow_factory: UnitOfWorkFactory, clock: Clock, person_id: str
) -> NightPlaceSuggestion | None:
    """The usual place at night, offered for the registration that holds the place and has no
    coordinates yet; None when there is nothing to ask. For the person themself."""
    with uow_factory() as uow:
        registration = current_registration(uow, person_id)
        if registration is None or registration.address.located:
            return None
        place = _usual_place(uow, clock, person_id)
    return None if place is None else NightPlaceSuggestion(registration.id, place)


def no_night_place() -> AminaError:
    return AminaError(
        "no_night_place",
        ErrorKind.conflict,
        N_("No usual place at night yet"),
        N_("Your phone has not reported from one place on enough nights yet."),
    )


def accept_night_place(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    classifiers: RegionClassifiers,
    person_id: str,
    registration_id: str,
) -> Registration:
    """The person answered "yes, this is my home": the usual place at night, computed again
    now from the stored reports (not taken from the app), becomes the building's coordinates.
    """
    with uow_factory() as uow:
        place = _usual_place(uow, clock, person_id)
        if place is None:
            raise no_night_place()
        registration = locate_registration(
            uow,
            clock,
            classifiers,
            person_id,
            registration_id,
            place.lat,
            place.lon,
            LocationSource.night_place,
        )
        uow.commit()
    return registration


def add_coordinates_here(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    classifiers: RegionClassifiers,
    person_id: str,
    registration_id: str,
    lat: float,
    lon: float,
) -> Registration:
    """The person, standing at the address, lets the app use the phone's location: it becomes
    the building's coordinates (they must lie in the address's region)."""
    with uow_factory() as uow:
        registration = locate_registration(
            uow,
            clock,
            classifiers,
            person_id,
            registration_id,
            lat,
            lon,
            LocationSource.at_address,
        )
        uow.commit()
    return registration
