"""The person's registrations (API.md ``/api/v1/me/registrations…``) and the staff view of them.

- ``POST /api/v1/me/registrations`` — register (closes the current one: address change);
  ``Idempotency-Key`` honoured.
- ``GET /api/v1/me/registrations`` — all, newest first, each with its events.
- ``GET /api/v1/me/registrations/current`` — the one holding the place, or 404.
- ``GET /api/v1/me/registrations/{id}/slip.pdf?format=a4|phone`` — the slip.
- ``POST /api/v1/me/registrations/{id}/location`` — the person adds the building's coordinates
  ("I am at this address now", or "yes" to the usual place at night; issue 13).
- ``GET /api/v1/me/registrations/current/night-place`` — "your phone is usually here at night".
- ``GET /api/v1/staff/persons/{person_id}/registrations?purpose=…`` — staff, audited.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from amina.adapters.db.uow import UnitOfWork
from amina.adapters.documents.slip import SlipFacts, SlipFormat, render_slip
from amina.adapters.external.boundaries import region_classifier
from amina.adapters.web.api.person_auth import current_person
from amina.adapters.web.context import container_of
from amina.adapters.web.idempotency import (
    answer_response,
    idempotency_key,
    idempotent_request,
)
from amina.adapters.web.problems import problem_responses
from amina.adapters.web.staff_auth import staff_with
from amina.domain.address import Address, format_address
from amina.domain.calendar import moscow_date
from amina.domain.eligibility import Purpose
from amina.domain.host import Host, HostKind, describe_host
from amina.domain.registration import RegistrationStatus, holds_the_place
from amina.domain.roles import Permission
from amina.domain.slip import grouped
from amina.i18n import N_
from amina.services.errors import AminaError, ErrorKind, FieldError
from amina.services.idempotency import Answer, run_once
from amina.services.identity.sessions import SignedInPerson
from amina.services.registration.coordinates import (
    accept_night_place,
    add_coordinates_here,
    night_place_suggestion,
)
from amina.services.registration.registrations import (
    Holder,
    Registration,
    RegistrationApplication,
    current_registration,
    holder,
    looked_up,
    no_active_registration,
    person_not_found,
    registration_of,
    registrations_of,
    show_registrations_to_staff,
    submit_registration,
)
from amina.services.staff.accounts import SignedInStaff
from amina.settings import Settings

router = APIRouter(tags=["registrations"])
staff_router = APIRouter(prefix="/api/v1/staff", tags=["staff"])

FIAS_OR_GAR = (
    r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9]{1,19})$"
)

# --- what comes in ---------------------------------------------------------------------------


class AddressIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    region: Literal["RU-MOW", "RU-MOS"]
    settlement: Annotated[str, Field(min_length=1, max_length=200, examples=["Москва"])]
    street: Annotated[str, Field(min_length=1, max_length=200, examples=["ул. Тверская"])]
    house: Annotated[str, Field(min_length=1, max_length=30, examples=["7"])]
    building: Annotated[str | None, Field(max_length=30)] = None
    flat: Annotated[str | None, Field(max_length=30, examples=["12"])] = None
    fias_id: Annotated[
        str | None,
        Field(pattern=FIAS_OR_GAR, description="FIAS GUID or GAR object id, if known"),
    ] = None
    lat: Annotated[
        float | None,
        Field(
            ge=-90,
            le=90,
            examples=[None],
            description="The building's latitude, or null: the region comes from the address "
            "and the coordinates are added later, with the person's consent",
        ),
    ] = None
    lon: Annotated[float | None, Field(ge=-180, le=180, examples=[None])] = None


class HostIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: Literal["person", "organisation"]
    name: Annotated[str, Field(min_length=1, max_length=300)]
    document: Annotated[
        str | None, Field(max_length=100, description="Identity document of a host person")
    ] = None
    inn: Annotated[
        str | None, Field(max_length=12, description="Taxpayer number (10 or 12 digits)")
    ] = None


class RegistrationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    address: AddressIn
    host: HostIn
    stay_from: date
    stay_to: date
    purpose: Purpose
    dependants: Annotated[
        list[Annotated[str, Field(max_length=36)]],
        Field(max_length=20, description="Ids of the person's children this registration covers"),
    ] = []

    def application(self) -> RegistrationApplication:
        a, h = self.address, self.host
        return RegistrationApplication(
            address=Address(
                a.region,
                a.settlement,
                a.street,
                a.house,
                a.building,
                a.flat,
                a.fias_id,
                a.lat,
                a.lon,
            ),
            host=Host(HostKind(h.kind), h.name, h.document, h.inn),
            stay_from=self.stay_from,
            stay_to=self.stay_to,
            purpose=self.purpose.value,
            dependants=tuple(self.dependants),
        )


# --- what goes out ---------------------------------------------------------------------------


class AddressOut(AddressIn):
    text: str = Field(description="The address in one line, as the slip prints it")


class HostOut(BaseModel):
    kind: Literal["person", "organisation"]
    name: str
    document: str | None
    inn: str | None


class ActorOut(BaseModel):
    kind: Literal["person", "staff", "system"]
    id: str | None
    role: str | None


class EventOut(BaseModel):
    kind: str
    from_status: str | None
    to_status: str
    actor: ActorOut
    reason: str | None
    at: datetime


class DependantOut(BaseModel):
    id: str
    name: str


class RegistrationOut(BaseModel):
    id: str
    number: str = Field(description="Registration number, e.g. AM-2025-000123")
    status: Literal["active", "confirmation_requested", "deregistered", "closed"]
    slip_code: str = Field(description="The code a host types on /verify, e.g. 7KQ3-M9XD-2HWPA")
    verify_url: str
    address: AddressOut
    near_border: bool = Field(
        description="The coordinates lie within the boundary data's precision of a border: "
        "the region was taken as given, not decided from the coordinates"
    )
    host: HostOut
    stay_from: date
    stay_to: date
    purpose: Purpose
    dependants: list[DependantOut]
    policy_version: str
    created_at: datetime
    events: list[EventOut]


def verify_url(settings: Settings, slip_code: str) -> str:
    return settings.public_url(f"/verify?code={slip_code}")


def registration_out(registration: Registration, settings: Settings) -> RegistrationOut:
    a, h = registration.address, registration.host
    return RegistrationOut(
        id=registration.id,
        number=registration.number,
        status=registration.status.value,
        slip_code=grouped(registration.slip_code),
        verify_url=verify_url(settings, registration.slip_code),
        address=AddressOut(
            region=a.region,
            settlement=a.settlement,
            street=a.street,
            house=a.house,
            building=a.building,
            flat=a.flat,
            fias_id=a.fias_id,
            lat=a.lat,
            lon=a.lon,
            text=format_address(a),
        ),
        near_border=registration.near_border,
        host=HostOut(kind=h.kind.value, name=h.name, document=h.document, inn=h.inn),
        stay_from=registration.stay_from,
        stay_to=registration.stay_to,
        purpose=Purpose(registration.purpose),
        dependants=[DependantOut(id=d.id, name=d.name_latin) for d in registration.dependants],
        policy_version=registration.policy_version,
        created_at=registration.created_at,
        events=[
            EventOut(
                kind=e.kind,
                from_status=e.from_status,
                to_status=e.to_status,
                actor=ActorOut(kind=e.actor.kind, id=e.actor.id, role=e.actor.role),
                reason=e.reason,
                at=e.at,
            )
            for e in registration.events
        ],
    )


def _json(registration: Registration, settings: Settings) -> dict[str, Any]:
    return registration_out(registration, settings).model_dump(mode="json")


# --- the person's endpoints ------------------------------------------------------------------


@router.post(
    "/api/v1/me/registrations",
    status_code=201,
    response_model=RegistrationOut,
    responses={
        409: {"description": "idempotency_key_reused, or registration_conflict"},
        422: {"description": "stay_period_invalid, address_invalid, registration_invalid"},
    },
)
def submit_endpoint(
    body: RegistrationIn,
    request: Request,
    person: SignedInPerson = Depends(current_person),
    key: str | None = Depends(idempotency_key),
) -> JSONResponse:
    """Register the place of stay. An active registration is closed by the new one."""
    container = container_of(request)
    application = looked_up(body.application(), container.addresses)

    def create(uow: UnitOfWork) -> Answer:
        registration = submit_registration(
            uow,
            container.clock,
            region_classifier,
            person.person_id,
            application,
        )
        return Answer(201, _json(registration, container.settings))

    answer = run_once(
        container.uow,
        container.clock,
        idempotent_request(
            request, f"person:{person.person_id}", key, body.model_dump(mode="json")
        ),
        create,
    )
    return answer_response(answer)


@router.get("/api/v1/me/registrations", response_model=list[RegistrationOut])
def list_endpoint(
    request: Request, person: SignedInPerson = Depends(current_person)
) -> list[RegistrationOut]:
    """Every registration of the signed-in person, newest first, with its history."""
    container = container_of(request)
    with container.uow() as uow:
        registrations = registrations_of(uow, person.person_id)
    return [registration_out(r, container.settings) for r in registrations]


@router.get(
    "/api/v1/me/registrations/current",
    response_model=RegistrationOut,
    responses={404: {"description": "no_active_registration"}},
)
def current_endpoint(
    request: Request, person: SignedInPerson = Depends(current_person)
) -> RegistrationOut:
    """The registration that holds the place (active or awaiting confirmation)."""
    container = container_of(request)
    with container.uow() as uow:
        registration = current_registration(uow, person.person_id)
    if registration is None:
        raise no_active_registration()
    return registration_out(registration, container.settings)


def slip_facts(registration: Registration, person: Holder, settings: Settings) -> SlipFacts:
    """What the slip prints, from the registration and its holder."""
    return SlipFacts(
        number=registration.number,
        slip_code=grouped(registration.slip_code),
        name_latin=person.name_latin,
        name_cyrillic=person.name_cyrillic,
        address=format_address(registration.address),
        host=describe_host(registration.host),
        stay_from=registration.stay_from,
        stay_to=registration.stay_to,
        issued_on=moscow_date(registration.created_at),
        purpose=registration.purpose,
        verify_url=verify_url(settings, registration.slip_code),
        language=person.language,
        valid=holds_the_place(RegistrationStatus(registration.status)),
        dependants=tuple(
            d.name_latin if not d.name_cyrillic else f"{d.name_latin} / {d.name_cyrillic}"
            for d in registration.dependants
        ),
    )


@router.get(
    "/api/v1/me/registrations/{registration_id}/slip.pdf",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "The slip"},
        404: {"description": "registration_not_found"},
    },
)
def slip_endpoint(
    registration_id: str,
    request: Request,
    page_format: Annotated[SlipFormat, Query(alias="format")] = SlipFormat.a4,
    person: SignedInPerson = Depends(current_person),
) -> Response:
    """The registration slip (PDF with QR) in the person's language and Russian; the same
    registration in the same state always gives the same bytes."""
    container = container_of(request)
    with container.uow() as uow:
        registration = registration_of(uow, person.person_id, registration_id)
        holder_ = holder(uow, person.person_id)
    if holder_ is None:
        raise person_not_found()
    pdf = render_slip(slip_facts(registration, holder_, container.settings), page_format)
    filename = f"{registration.number}-{page_format.value}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "ETag": '"' + hashlib.sha256(pdf).hexdigest()[:32] + '"',
            "Cache-Control": "private, no-cache",
        },
    )


# --- the building's coordinates, with the person's consent (issue 13) --------------------------


class LocationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: Literal["at_address", "night_place"] = Field(
        description="at_address: the phone's location, the person standing at the address "
        "(lat and lon required); night_place: the person said yes to the usual place at "
        "night, which the server computes again from the stored reports (no lat/lon)"
    )
    lat: Annotated[float | None, Field(ge=-90, le=90)] = None
    lon: Annotated[float | None, Field(ge=-180, le=180)] = None


def _coordinates_required() -> AminaError:
    return AminaError(
        "coordinates_required",
        ErrorKind.invalid,
        N_("The location is missing"),
        N_("Send the phone's location with the answer."),
        errors=[
            FieldError("lat", "coordinates_required", N_("Send the phone's location.")),
        ],
    )


@router.post(
    "/api/v1/me/registrations/{registration_id}/location",
    response_model=RegistrationOut,
    responses=problem_responses(
        {
            404: ["registration_not_found"],
            409: ["registration_not_current", "no_night_place"],
            422: ["address_invalid", "coordinates_required"],
        }
    ),
)
def location_endpoint(
    registration_id: str,
    body: LocationIn,
    request: Request,
    person: SignedInPerson = Depends(current_person),
) -> RegistrationOut:
    """Add the building's coordinates to your current registration, with your consent: the
    phone's location where you stand at the address, or your phone's usual place at night."""
    container = container_of(request)
    if body.source == "night_place":
        registration = accept_night_place(
            container.uow, container.clock, region_classifier, person.person_id, registration_id
        )
    else:
        if body.lat is None or body.lon is None:
            raise _coordinates_required()
        registration = add_coordinates_here(
            container.uow,
            container.clock,
            region_classifier,
            person.person_id,
            registration_id,
            body.lat,
            body.lon,
        )
    return registration_out(registration, container.settings)


class NightPlaceOut(BaseModel):
    registration_id: str
    lat: float
    lon: float
    nights: int = Field(description="On how many of the last nights the phone was there")


class NightPlaceAnswer(BaseModel):
    suggestion: NightPlaceOut | None = Field(
        description="null: nothing to ask (the registration has coordinates, or the phone "
        "has not been in one place on enough nights)"
    )


@router.get("/api/v1/me/registrations/current/night-place", response_model=NightPlaceAnswer)
def night_place_endpoint(
    request: Request, person: SignedInPerson = Depends(current_person)
) -> NightPlaceAnswer:
    """ "Your phone is usually here at night — is this your home?": the place, if there is
    one to offer for your current registration."""
    container = container_of(request)
    found = night_place_suggestion(container.uow, container.clock, person.person_id)
    if found is None:
        return NightPlaceAnswer(suggestion=None)
    return NightPlaceAnswer(
        suggestion=NightPlaceOut(
            registration_id=found.registration_id,
            lat=found.place.lat,
            lon=found.place.lon,
            nights=found.place.nights,
        )
    )


# --- staff -----------------------------------------------------------------------------------


@staff_router.get(
    "/persons/{person_id}/registrations",
    response_model=list[RegistrationOut],
    responses=problem_responses({404: ["person_not_found"], 422: ["purpose_required"]}),
)
def staff_list_endpoint(
    person_id: str,
    request: Request,
    purpose: Annotated[str, Query(max_length=500, description="Why you need this data")],
    staff: SignedInStaff = Depends(staff_with(Permission.registration_view)),
) -> list[RegistrationOut]:
    """A person's registrations with their history. Needs ``registration.view`` and a purpose;
    the access is recorded and shown in the person's access log."""
    container = container_of(request)
    registrations = show_registrations_to_staff(
        container.uow, container.clock, staff.actor, person_id, purpose
    )
    return [registration_out(r, container.settings) for r in registrations]
