"""Appointments at the migration centre (API.md "Patent payment and appointments").

Public: ``GET /api/v1/booking/services``, ``GET /api/v1/booking/slots``. The person's:
``/api/v1/me/bookings…`` (book with ``Idempotency-Key``; a full slot is ``409 slot_full``).
Staff: ``/api/v1/staff/booking/…`` — find a visit by its ticket (audited), check in, served,
no-show, and the day's load.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

import segno
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from amina.adapters.db.uow import UnitOfWork
from amina.adapters.documents.ticket import TicketFacts, render_ticket
from amina.adapters.web.api.person_auth import current_person
from amina.adapters.web.context import container_of, translator_for
from amina.adapters.web.idempotency import answer_response, idempotency_key, idempotent_request
from amina.adapters.web.problems import problem_responses
from amina.adapters.web.staff_auth import staff_with
from amina.domain.booking import (
    ACTIVE,
    CENTRE_ADDRESS,
    CENTRE_NAME,
    SERVICES,
    WHO_MAY_BOOK_TEXT,
    BookingStatus,
    ServiceCode,
    grouped_code,
    may_book,
    service,
)
from amina.domain.calendar import MOSCOW, moscow_date
from amina.domain.roles import Permission
from amina.i18n import Translator
from amina.services.booking import bookings as use
from amina.services.booking import centre
from amina.services.booking.errors import booking_not_found, service_unknown
from amina.services.booking.slots import free_slots
from amina.services.idempotency import Answer, run_once
from amina.services.identity.sessions import SignedInPerson
from amina.services.registration.registrations import holder, person_not_found
from amina.services.staff.accounts import SignedInStaff
from amina.settings import Settings

router = APIRouter(tags=["booking"])
staff_router = APIRouter(prefix="/api/v1/staff/booking", tags=["staff"])

#: The longest range of days one slots query may ask for.
MAX_RANGE_DAYS = 31

# --- out -------------------------------------------------------------------------------------


class ServiceOut(BaseModel):
    code: ServiceCode
    name: str
    duration_minutes: int
    documents: list[str] = Field(description="What to bring, in the caller's language")
    who_may_book: Literal["anyone", "lost_card"]
    who_may_book_text: str


class SlotOut(BaseModel):
    id: str
    service: ServiceCode
    starts_at: datetime
    ends_at: datetime
    day: date = Field(description="The date in Moscow")
    time: str = Field(description="The start time in Moscow, HH:MM")
    free: int


class BookingOut(BaseModel):
    id: str
    service: ServiceCode
    service_name: str
    status: BookingStatus
    code: str = Field(description="The ticket's short code, e.g. 7KQ3-M9XD")
    check_in_url: str = Field(description="What the ticket's QR code holds")
    starts_at: datetime
    ends_at: datetime
    day: date
    time: str
    hold_expires_at: datetime | None
    moves: int
    centre: str
    address: str
    documents: list[str]
    ticket_url: str
    qr_svg: str = Field(description="The ticket's QR code as an inline SVG element")


def _time(instant: datetime) -> str:
    return instant.astimezone(MOSCOW).strftime("%H:%M")


def service_out(code: ServiceCode, t: Translator) -> ServiceOut:
    found = service(code.value)
    assert found is not None
    return ServiceOut(
        code=found.code,
        name=t.gettext(found.name),
        duration_minutes=int(found.duration.total_seconds() // 60),
        documents=[t.gettext(d) for d in found.documents],
        who_may_book=found.who_may_book.value,
        who_may_book_text=t.gettext(WHO_MAY_BOOK_TEXT[found.who_may_book]),
    )


def check_in_url(settings: Settings, code: str) -> str:
    return settings.public_url(f"/console/booking/check-in?code={code}")


def booking_out(booking: use.Booking, t: Translator, settings: Settings) -> BookingOut:
    found = service(booking.service.value)
    assert found is not None
    return BookingOut(
        id=booking.id,
        service=booking.service,
        service_name=t.gettext(found.name),
        status=booking.status,
        code=grouped_code(booking.code),
        check_in_url=check_in_url(settings, grouped_code(booking.code)),
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        day=moscow_date(booking.starts_at),
        time=_time(booking.starts_at),
        hold_expires_at=booking.hold_expires_at,
        moves=booking.moves,
        centre=t.gettext(CENTRE_NAME),
        address=CENTRE_ADDRESS,
        documents=[t.gettext(d) for d in found.documents],
        ticket_url=f"/api/v1/me/bookings/{booking.id}/ticket.pdf",
        qr_svg=segno.make_qr(
            check_in_url(settings, grouped_code(booking.code)), error="m"
        ).svg_inline(scale=5, omitsize=True),
    )


# --- public ----------------------------------------------------------------------------------


@router.get("/api/v1/booking/services", response_model=list[ServiceOut])
def services_endpoint(request: Request) -> list[ServiceOut]:
    """The centre's services: duration, what to bring, who may book (in the caller's language)."""
    t = translator_for(request)
    return [service_out(s.code, t) for s in SERVICES]


@router.get(
    "/api/v1/booking/slots",
    response_model=list[SlotOut],
    responses={422: {"description": "service_unknown, range_invalid"}},
)
def slots_endpoint(
    request: Request,
    service_code: Annotated[str, Query(alias="service", max_length=40)],
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> list[SlotOut]:
    """Future times of a service with a free seat, from ``from`` to ``to`` (Moscow dates,
    both included; by default the next two weeks)."""
    container = container_of(request)
    found = service(service_code)
    if found is None:
        raise service_unknown()
    today = moscow_date(container.clock.now())
    start = max(start or today, today)
    end = min(end or start + timedelta(days=14), start + timedelta(days=MAX_RANGE_DAYS))
    with container.uow() as uow:
        slots = free_slots(uow, container.clock, found.code, start, end)
    return [
        SlotOut(
            id=s.id,
            service=found.code,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            day=s.day,
            time=_time(s.starts_at),
            free=s.free,
        )
        for s in slots
    ]


# --- the person's ----------------------------------------------------------------------------


class BookingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    service: ServiceCode
    slot_id: Annotated[str, Field(min_length=1, max_length=36)]
    hold: bool = Field(
        False,
        description="Only hold the seat (10 minutes) until POST …/confirm; "
        "otherwise the booking is confirmed at once",
    )


class RescheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slot_id: Annotated[str, Field(min_length=1, max_length=36)]


class SuggestionOut(BaseModel):
    service: ServiceCode
    reason: Literal["card_lost"]


def _write(
    request: Request,
    person: SignedInPerson,
    key: str | None,
    payload: dict[str, Any],
    change: Any,
    status: int = 200,
) -> JSONResponse:
    container = container_of(request)
    t = translator_for(request)

    def create(uow: UnitOfWork) -> Answer:
        booking = change(uow)
        body = booking_out(booking, t, container.settings).model_dump(mode="json")
        return Answer(status, body)

    answer = run_once(
        container.uow,
        container.clock,
        idempotent_request(request, f"person:{person.person_id}", key, payload),
        create,
    )
    return answer_response(answer)


@router.post(
    "/api/v1/me/bookings",
    status_code=201,
    response_model=BookingOut,
    responses={
        409: {"description": "slot_full, already_booked, idempotency_key_reused"},
        403: {"description": "service_not_for_you"},
        404: {"description": "slot_not_found"},
    },
)
def book_endpoint(
    body: BookingIn,
    request: Request,
    person: SignedInPerson = Depends(current_person),
    key: str | None = Depends(idempotency_key),
) -> JSONResponse:
    """Book a time (or hold it while the person confirms). No seat is ever given twice."""
    container = container_of(request)
    return _write(
        request,
        person,
        key,
        body.model_dump(mode="json"),
        lambda uow: use.book(
            uow, container.clock, person.person_id, body.service, body.slot_id, hold=body.hold
        ),
        201,
    )


@router.get("/api/v1/me/bookings", response_model=list[BookingOut])
def list_endpoint(
    request: Request, person: SignedInPerson = Depends(current_person)
) -> list[BookingOut]:
    """The person's visits: the coming ones first, then past, cancelled and moved ones."""
    container = container_of(request)
    t = translator_for(request)
    with container.uow() as uow:
        found = use.bookings_of(uow, person.person_id)
    return [booking_out(b, t, container.settings) for b in found]


@router.get("/api/v1/me/bookings/suggested", response_model=list[SuggestionOut])
def suggested_endpoint(
    request: Request, person: SignedInPerson = Depends(current_person)
) -> list[SuggestionOut]:
    """Visits the person should book: a card replacement when the card is lost and no such
    visit is booked yet."""
    container = container_of(request)
    with container.uow() as uow:
        lost = use.card_lost(uow, person.person_id)
        booked = {b.service for b in use.bookings_of(uow, person.person_id) if b.status in ACTIVE}
    replacement = service(ServiceCode.card_replacement.value)
    assert replacement is not None
    if may_book(replacement, lost) and lost and ServiceCode.card_replacement not in booked:
        return [SuggestionOut(service=ServiceCode.card_replacement, reason="card_lost")]
    return []


@router.get(
    "/api/v1/me/bookings/{booking_id}",
    response_model=BookingOut,
    responses={404: {"description": "booking_not_found"}},
)
def one_endpoint(
    booking_id: str, request: Request, person: SignedInPerson = Depends(current_person)
) -> BookingOut:
    container = container_of(request)
    with container.uow() as uow:
        booking = use.booking_of(uow, person.person_id, booking_id)
    return booking_out(booking, translator_for(request), container.settings)


@router.post(
    "/api/v1/me/bookings/{booking_id}/confirm",
    response_model=BookingOut,
    responses=problem_responses(
        {404: ["booking_not_found"], 409: ["hold_expired", "booking_not_changeable"]}
    ),
)
def confirm_endpoint(
    booking_id: str,
    request: Request,
    person: SignedInPerson = Depends(current_person),
    key: str | None = Depends(idempotency_key),
) -> JSONResponse:
    """Confirm a held time before the hold runs out."""
    container = container_of(request)
    return _write(
        request,
        person,
        key,
        {},
        lambda uow: use.confirm(uow, container.clock, person.person_id, booking_id),
    )


@router.post(
    "/api/v1/me/bookings/{booking_id}/cancel",
    response_model=BookingOut,
    responses=problem_responses({404: ["booking_not_found"], 409: ["booking_not_changeable"]}),
)
def cancel_endpoint(
    booking_id: str,
    request: Request,
    person: SignedInPerson = Depends(current_person),
    key: str | None = Depends(idempotency_key),
) -> JSONResponse:
    """Cancel a visit: its seat is free for others at once, and no reminder follows."""
    container = container_of(request)
    return _write(
        request,
        person,
        key,
        {},
        lambda uow: use.cancel(uow, container.clock, person.person_id, booking_id),
    )


@router.post(
    "/api/v1/me/bookings/{booking_id}/reschedule",
    response_model=BookingOut,
    responses=problem_responses(
        {
            404: ["booking_not_found", "slot_not_found"],
            409: ["slot_full", "booking_not_changeable"],
        }
    ),
)
def reschedule_endpoint(
    booking_id: str,
    body: RescheduleIn,
    request: Request,
    person: SignedInPerson = Depends(current_person),
    key: str | None = Depends(idempotency_key),
) -> JSONResponse:
    """Move a visit to another time of the same service. If the new time is full, the visit
    keeps its old time."""
    container = container_of(request)
    return _write(
        request,
        person,
        key,
        body.model_dump(mode="json"),
        lambda uow: use.reschedule(
            uow, container.clock, person.person_id, booking_id, body.slot_id
        ),
    )


@router.get(
    "/api/v1/me/bookings/{booking_id}/ticket.pdf",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "The ticket"},
        404: {"description": "booking_not_found"},
    },
)
def ticket_endpoint(
    booking_id: str, request: Request, person: SignedInPerson = Depends(current_person)
) -> Response:
    """The ticket (PDF with QR) in the person's language and Russian."""
    container = container_of(request)
    with container.uow() as uow:
        booking = use.booking_of(uow, person.person_id, booking_id)
        holder_ = holder(uow, person.person_id)
    if holder_ is None:
        raise person_not_found()
    found = service(booking.service.value)
    if found is None:
        raise booking_not_found()
    code = grouped_code(booking.code)
    pdf = render_ticket(
        TicketFacts(
            code=code,
            name_latin=holder_.name_latin,
            name_cyrillic=holder_.name_cyrillic,
            service_name=found.name,
            day=moscow_date(booking.starts_at),
            time=_time(booking.starts_at),
            centre_name=CENTRE_NAME,
            address=CENTRE_ADDRESS,
            documents=found.documents,
            check_in_url=check_in_url(container.settings, code),
            language=holder_.language,
            issued_on=moscow_date(booking.created_at),
            valid=booking.status in ACTIVE,
        )
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="ticket-{code}.pdf"',
            "ETag": '"' + hashlib.sha256(pdf).hexdigest()[:32] + '"',
            "Cache-Control": "private, no-cache",
        },
    )


# --- staff -----------------------------------------------------------------------------------


class VisitOut(BaseModel):
    person_id: str
    booking: BookingOut
    name_latin: str
    name_cyrillic: str
    card_number: str
    card_status: str


def visit_out(visit: centre.Visit, t: Translator, settings: Settings) -> VisitOut:
    return VisitOut(
        person_id=visit.booking.person_id,
        booking=booking_out(visit.booking, t, settings),
        name_latin=visit.name_latin,
        name_cyrillic=visit.name_cyrillic,
        card_number=visit.card_number,
        card_status=visit.card_status,
    )


class LoadOut(BaseModel):
    service: str
    hour: int
    capacity: int
    booked: int
    checked_in: int


@staff_router.get(
    "/tickets/{code}",
    response_model=VisitOut,
    responses={404: {"description": "ticket_not_found"}, 403: {"description": "forbidden"}},
)
def ticket_lookup_endpoint(
    code: str,
    request: Request,
    staff: SignedInStaff = Depends(staff_with(Permission.appointment_manage)),
) -> VisitOut:
    """The visit whose ticket has this code (or the QR's text). Recorded in the audit log."""
    container = container_of(request)
    visit = centre.look_up_ticket(container.uow, container.clock, staff.actor, code)
    return visit_out(visit, translator_for(request), container.settings)


@staff_router.post(
    "/visits/{person_id}/{booking_id}/{outcome}",
    response_model=VisitOut,
    responses=problem_responses({404: ["booking_not_found"], 409: ["booking_not_changeable"]}),
)
def outcome_endpoint(
    person_id: str,
    booking_id: str,
    outcome: Literal["check-in", "served", "no-show"],
    request: Request,
    staff: SignedInStaff = Depends(staff_with(Permission.appointment_manage)),
    key: str | None = Depends(idempotency_key),
) -> JSONResponse:
    """Check a visitor in, or mark the visit served or a no-show (audited). With an
    ``Idempotency-Key``, a repeated request gets the first answer again."""
    container = container_of(request)
    t = translator_for(request)

    def change(uow: UnitOfWork) -> Answer:
        visit = centre.VISIT_OUTCOMES[outcome](
            uow, container.clock, staff.actor, person_id, booking_id
        )
        return Answer(200, visit_out(visit, t, container.settings).model_dump(mode="json"))

    answer = run_once(
        container.uow,
        container.clock,
        idempotent_request(request, f"staff:{staff.staff_id}", key, {}, person_id=person_id),
        change,
    )
    return answer_response(answer)


@staff_router.get("/days/{day}/load", response_model=list[LoadOut])
def load_endpoint(
    day: date,
    request: Request,
    _staff: SignedInStaff = Depends(staff_with(Permission.appointment_manage)),
) -> list[LoadOut]:
    """Seats, bookings and check-ins per service and hour (Moscow) on a day. Counts only."""
    container = container_of(request)
    with container.uow() as uow:
        load = centre.day_load(uow, day)
    return [LoadOut(**vars(cell)) for cell in load]
