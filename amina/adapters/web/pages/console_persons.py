"""The operator's console pages (SPEC §2, §10): find a person — by card number, passport, name
or phone, after stating the purpose — help a person stuck at sign-in (send a new code, mark a
card lost) and a person's registrations with their history.

Every page that shows or changes a person's data asks for the purpose first: a reason chosen
from ``amina.domain.purposes.STATED`` plus free text. The use cases
(``services.identity.enrolment_help``, ``services.registration.registrations``) check the
role, write the audit entry with the purpose in the same transaction and commit; the person
sees it in their access log. These pages only ask and show.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse

from amina.adapters.web.context import container_of, translator_for
from amina.adapters.web.pages.case_words import REGISTRATION_STATUSES, short_id
from amina.adapters.web.staff_auth import render_console, staff_with, use_console_language
from amina.domain.address import format_address
from amina.domain.calendar import MOSCOW
from amina.domain.purposes import STATED, Purpose
from amina.domain.roles import Permission
from amina.i18n import N_
from amina.services.audit.trail import purpose_required
from amina.services.errors import AminaError, ErrorKind
from amina.services.identity.enrolment_help import (
    CardQuery,
    NameQuery,
    PassportQuery,
    PersonQuery,
    PersonSummary,
    PhoneQuery,
    find_people,
    mark_lost_for,
    resend_code_for,
)
from amina.services.registration.registrations import show_registrations_to_staff
from amina.services.staff.accounts import SignedInStaff

router = APIRouter(include_in_schema=False, dependencies=[Depends(use_console_language)])

PERSONS = "/console/persons"

#: How the search can find someone.
SEARCH_KINDS: dict[str, str] = {
    "card": N_("Card number"),
    "passport": N_("Passport"),
    "name": N_("Name"),
    "phone": N_("Phone"),
}

#: Registration events, as the history says them.
EVENT_KINDS: dict[str, str] = {
    "registered": N_("Registered"),
    "confirmation_requested": N_("Confirmation requested"),
    "confirmed": N_("Address confirmed"),
    "deregistered": N_("Deregistered"),
    "closed": N_("Closed"),
    "restored": N_("Restored"),
    "located": N_("Coordinates added"),
}

#: Who moved a registration.
EVENT_ACTORS: dict[str, str] = {
    "person": N_("the person"),
    "staff": N_("staff"),
    "system": N_("the system"),
}


#: A card's status, as the search result says it.
CARD_STATUSES: dict[str, str] = {
    "valid": N_("valid"),
    "lost": N_("lost"),
    "revoked": N_("revoked"),
}


def _render(request: Request, name: str, status_code: int = 200, **context: object) -> HTMLResponse:
    return render_console(
        request,
        name,
        status_code,
        permissions=Permission,
        card_statuses=CARD_STATUSES,
        **context,
    )


def stated_purpose(reason: str, details: str) -> Purpose:
    """The purpose chosen from the list (:data:`amina.domain.purposes.STATED`) and its free
    text, as the audit log keeps them. "Other" needs the free text."""
    purpose = Purpose(reason, details)
    if not purpose.is_stated():
        raise purpose_required()
    return purpose


def _purpose_form(reason: str, details: str) -> dict[str, str]:
    return {"reason": reason, "details": details}


def _date_or_none(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text.strip() else None
    except ValueError:
        return None


def _query(form: dict[str, str]) -> PersonQuery:
    by = form.get("by", "card")
    if by == "passport":
        return PassportQuery(form.get("citizenship", ""), form.get("passport_number", ""))
    if by == "name":
        return NameQuery(
            form.get("surname", ""),
            form.get("given_names", ""),
            _date_or_none(form.get("date_of_birth", "")),
        )
    if by == "phone":
        return PhoneQuery(form.get("phone", ""))
    return CardQuery(form.get("card_number", ""))


def _status(error: AminaError) -> int:
    return {
        ErrorKind.not_found: 404,
        ErrorKind.forbidden: 403,
        ErrorKind.conflict: 409,
    }.get(error.kind, 422)


def _persons_page(
    request: Request,
    *,
    status_code: int = 200,
    form: dict[str, str] | None = None,
    people: list[PersonSummary] | None = None,
    error: AminaError | None = None,
    notice: str | None = None,
) -> HTMLResponse:
    form = form or {}
    form.setdefault("by", "card")
    return _render(
        request,
        "console/persons.html",
        status_code=status_code,
        form=form,
        people=people,
        error=error,
        notice=notice,
        reasons=STATED,
        search_kinds=SEARCH_KINDS,
    )


@router.get(PERSONS, response_class=HTMLResponse)
def person_search_form(
    request: Request, _staff: SignedInStaff = Depends(staff_with(Permission.person_search))
) -> HTMLResponse:
    """Nothing of anyone is shown before the purpose is stated."""
    return _persons_page(request)


@router.post(PERSONS, response_class=HTMLResponse)
def person_search(
    request: Request,
    by: Annotated[str, Form(max_length=10)] = "card",
    card_number: Annotated[str, Form(max_length=40)] = "",
    citizenship: Annotated[str, Form(max_length=2)] = "",
    passport_number: Annotated[str, Form(max_length=40)] = "",
    surname: Annotated[str, Form(max_length=100)] = "",
    given_names: Annotated[str, Form(max_length=100)] = "",
    date_of_birth: Annotated[str, Form(max_length=10)] = "",
    phone: Annotated[str, Form(max_length=30)] = "",
    reason: Annotated[str, Form(max_length=40)] = "",
    details: Annotated[str, Form(max_length=400)] = "",
    staff: SignedInStaff = Depends(staff_with(Permission.person_search)),
) -> HTMLResponse:
    container = container_of(request)
    form = {
        "by": by if by in SEARCH_KINDS else "card",
        "card_number": card_number,
        "citizenship": citizenship,
        "passport_number": passport_number,
        "surname": surname,
        "given_names": given_names,
        "date_of_birth": date_of_birth,
        "phone": phone,
        **_purpose_form(reason, details),
    }
    try:
        purpose = stated_purpose(reason, details)
        people = find_people(container.uow, container.clock, staff.actor, _query(form), purpose)
    except AminaError as error:
        return _persons_page(request, status_code=_status(error), form=form, error=error)
    return _persons_page(request, form=form, people=people)


# --- enrolment help -------------------------------------------------------------------------


def _helped_page(
    request: Request,
    staff: SignedInStaff,
    person_id: str,
    form: dict[str, str],
    *,
    status_code: int = 200,
    error: AminaError | None = None,
    notice: str | None = None,
    summary: PersonSummary | None = None,
) -> HTMLResponse:
    return _render(
        request,
        "console/person_help.html",
        status_code=status_code,
        person_id=person_id,
        form=form,
        error=error,
        notice=notice,
        summary=summary,
        reasons=STATED,
        may_view_registrations=staff.can(Permission.registration_view),
    )


@router.post(PERSONS + "/{person_id}/resend-code", response_class=HTMLResponse)
def person_resend_code(
    request: Request,
    person_id: str,
    reason: Annotated[str, Form(max_length=40)] = "",
    details: Annotated[str, Form(max_length=400)] = "",
    staff: SignedInStaff = Depends(staff_with(Permission.person_enrolment_help)),
) -> HTMLResponse:
    """The person has begun signing in in the app: a new code to the phone on file."""
    container = container_of(request)
    form = _purpose_form(reason, details)
    try:
        purpose = stated_purpose(reason, details)
        sent = resend_code_for(
            container.uow,
            container.clock,
            container.wake_outbox,
            container.settings.secret_key,
            staff.actor,
            person_id,
            purpose,
        )
    except AminaError as error:
        return _helped_page(
            request, staff, person_id, form, status_code=_status(error), error=error
        )
    notice = translator_for(request).gettext(
        N_("A new code was sent to %(phone)s. It works for the sign-in the person has begun."),
        phone=sent.sent_to,
    )
    return _helped_page(request, staff, person_id, form, notice=notice)


@router.post(PERSONS + "/{person_id}/mark-card-lost", response_class=HTMLResponse)
def person_mark_card_lost(
    request: Request,
    person_id: str,
    reason: Annotated[str, Form(max_length=40)] = "",
    details: Annotated[str, Form(max_length=400)] = "",
    staff: SignedInStaff = Depends(staff_with(Permission.person_enrolment_help)),
) -> HTMLResponse:
    """The card is marked lost; the person then signs in by passport."""
    container = container_of(request)
    form = _purpose_form(reason, details)
    try:
        purpose = stated_purpose(reason, details)
        summary = mark_lost_for(container.uow, container.clock, staff.actor, person_id, purpose)
    except AminaError as error:
        return _helped_page(
            request, staff, person_id, form, status_code=_status(error), error=error
        )
    notice = translator_for(request).gettext(
        N_("The card is marked lost. The person now signs in with the passport.")
    )
    return _helped_page(request, staff, person_id, form, notice=notice, summary=summary)


# --- registration history ---------------------------------------------------------------------


def _registrations_page(
    request: Request,
    person_id: str,
    form: dict[str, str],
    *,
    status_code: int = 200,
    error: AminaError | None = None,
    registrations: list[object] | None = None,
) -> HTMLResponse:
    return _render(
        request,
        "console/person_registrations.html",
        status_code=status_code,
        person_id=person_id,
        form=form,
        error=error,
        registrations=registrations,
        reasons=STATED,
        statuses=REGISTRATION_STATUSES,
        event_kinds=EVENT_KINDS,
        event_actors=EVENT_ACTORS,
        format_address=format_address,
        short_id=short_id,
        moscow=MOSCOW,
    )


@router.get(PERSONS + "/{person_id}/registrations", response_class=HTMLResponse)
def person_registrations_form(
    request: Request,
    person_id: str,
    _staff: SignedInStaff = Depends(staff_with(Permission.registration_view)),
) -> HTMLResponse:
    """Nothing is shown before the purpose is stated."""
    return _registrations_page(request, person_id, _purpose_form("", ""))


@router.post(PERSONS + "/{person_id}/registrations", response_class=HTMLResponse)
def person_registrations(
    request: Request,
    person_id: str,
    reason: Annotated[str, Form(max_length=40)] = "",
    details: Annotated[str, Form(max_length=400)] = "",
    staff: SignedInStaff = Depends(staff_with(Permission.registration_view)),
) -> HTMLResponse:
    container = container_of(request)
    form = _purpose_form(reason, details)
    try:
        purpose = stated_purpose(reason, details)
        registrations = show_registrations_to_staff(
            container.uow, container.clock, staff.actor, person_id, purpose
        )
    except AminaError as error:
        return _registrations_page(
            request, person_id, form, status_code=_status(error), error=error
        )
    return _registrations_page(request, person_id, form, registrations=list(registrations))
