"""The person's side of compliance (API.md "The person's own data"): notices and the answers to
them, decisions and objections, the in-app inbox, and web push subscriptions.

Bearer token; every text in the person's saved language; deadlines as ``YYYY-MM-DD``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from amina.adapters.db.uow import UnitOfWork
from amina.adapters.external.boundaries import region_classifier
from amina.adapters.web.api.person_auth import current_person
from amina.adapters.web.api.registrations import RegistrationIn, registration_out
from amina.adapters.web.api.report_body import read_reports
from amina.adapters.web.context import container_of, translator_for
from amina.adapters.web.idempotency import answer_response, idempotency_key, idempotent_request
from amina.adapters.web.problems import problem_responses
from amina.i18n import Translator
from amina.services.compliance.errors import compliance_error
from amina.services.compliance.messages import (
    DECISION_TEXTS,
    DECISION_TITLES,
    HOW_TO_OBJECT,
    STANDARD_REASON_TEXTS,
    language_name,
    notice_text,
    reason_for_reader,
    standard_reason_text,
)
from amina.services.compliance.notices import (
    Notice,
    change_address,
    confirm_notice,
    notice_addresses,
    notices_of,
)
from amina.services.compliance.objections import PersonDecision, decisions_of, object_to_decision
from amina.services.delivery.inbox import inbox_of, mark_read
from amina.services.delivery.push_subscriptions import subscribe, unsubscribe
from amina.services.idempotency import Answer, run_once
from amina.services.identity.sessions import SignedInPerson
from amina.services.registration.registrations import looked_up

router = APIRouter(prefix="/api/v1/me", tags=["notices"])
push_router = APIRouter(prefix="/api/v1/push", tags=["notices"])


# --- notices ---------------------------------------------------------------------------------


class NoticeOut(BaseModel):
    id: str
    kind: Literal["no_data", "out_of_region", "away_from_address"] = Field(
        description="away_from_address only when the policy switches the proximity rule on"
    )
    status: Literal["open", "answered", "resolved", "expired"]
    deadline: date
    text: str = Field(description="What the notice says, in the person's language")
    address: str | None = Field(
        default=None,
        description="The registered address the notice is about, in words (Russian, as "
        "registered): what confirming it confirms",
    )
    created_at: datetime


def notice_out(notice: Notice, t: Translator, address: str | None = None) -> NoticeOut:
    return NoticeOut(
        id=notice.id,
        kind=notice.kind.value,
        status=notice.status.value,
        deadline=notice.deadline,
        text=notice_text(notice.kind, notice.since, notice.deadline, t),
        address=address,
        created_at=notice.created_at,
    )


class ConfirmIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    report: dict[str, Any] = Field(
        description="One location report, as for POST /api/v1/reports: the fresh location "
        "that confirms the address"
    )


@router.get("/notices", response_model=list[NoticeOut])
def my_notices(
    request: Request, person: SignedInPerson = Depends(current_person)
) -> list[NoticeOut]:
    """Your notices, newest first."""
    container = container_of(request)
    with container.uow() as uow:
        notices = notices_of(uow, person.person_id)
        addresses = notice_addresses(uow, person.person_id)
    t = translator_for(request)
    return [notice_out(n, t, addresses.get(n.registration_id)) for n in notices]


@router.post(
    "/notices/{notice_id}/confirm",
    response_model=NoticeOut,
    responses={
        404: {"description": "notice_not_found"},
        409: {"description": "notice_not_open, confirmation_outside_region"},
        422: {"description": "confirmation_report_rejected"},
    },
)
def confirm_my_notice(
    notice_id: str,
    body: ConfirmIn,
    request: Request,
    person: SignedInPerson = Depends(current_person),
) -> NoticeOut:
    """Confirm your address with a fresh location from your phone. The report is stored like
    any other; the notice is answered and your registration is active again."""
    container = container_of(request)
    notice = confirm_notice(
        container.uow,
        container.clock,
        container.confirmation_ingest,
        person.person_id,
        notice_id,
        read_reports([body.report]),
    )
    return notice_out(notice, translator_for(request))


@router.post(
    "/notices/{notice_id}/change-address",
    status_code=201,
    responses={
        404: {"description": "notice_not_found"},
        409: {"description": "notice_not_open, registration_conflict, idempotency_key_reused"},
        422: {"description": "stay_period_invalid, address_invalid, registration_invalid"},
    },
)
def change_my_address(
    notice_id: str,
    body: RegistrationIn,
    request: Request,
    person: SignedInPerson = Depends(current_person),
    key: str | None = Depends(idempotency_key),
) -> JSONResponse:
    """Answer the notice with your new address: a new registration (as
    ``POST /api/v1/me/registrations``), which closes the old one. Accepts ``Idempotency-Key``."""
    container = container_of(request)
    application = looked_up(body.application(), container.addresses)

    def create(uow: UnitOfWork) -> Answer:
        registration = change_address(
            uow, container.clock, region_classifier, person.person_id, notice_id, application
        )
        return Answer(
            201, registration_out(registration, container.settings).model_dump(mode="json")
        )

    answer = run_once(
        container.uow,
        container.clock,
        idempotent_request(
            request, f"person:{person.person_id}", key, body.model_dump(mode="json")
        ),
        create,
    )
    return answer_response(answer)


# --- decisions and objections ------------------------------------------------------------------


class ObjectionOut(BaseModel):
    id: str
    decision_id: str
    text: str
    created_at: datetime
    status: Literal["with_supervisor", "decided"]
    outcome: Literal["uphold", "overturn"] | None
    reason: str | None = Field(description="The supervisor's written reason")
    decided_at: datetime | None


class DecisionOut(BaseModel):
    id: str
    case_id: str
    kind: Literal["dismiss", "extend_deadline", "deregister"]
    title: str
    text: str = Field(description="The decision with its reason and how to object")
    reason: str = Field(description="The inspector's written reason, as written")
    reason_code: str | None = Field(
        default=None, description="The standard reason the decision was taken for, if any"
    )
    standard_reason: str | None = Field(
        default=None, description="The standard reason's words, in the person's language"
    )
    note: str | None = Field(
        default=None, description="The inspector's note beside the standard reason, as written"
    )
    note_language: str | None = Field(
        default=None, description="The language the note is written in (e.g. ru)"
    )
    note_language_name: str | None = Field(
        default=None, description="That language's name, in the person's language"
    )
    created_at: datetime
    new_deadline: date | None
    referral: (
        Literal["pending_confirmation", "confirmed", "sent", "rejected", "withdrawn"] | None
    ) = Field(description="A referral to the Registry of Controlled Persons, if any")
    how_to_object: str | None
    objection_until: date | None = Field(description="The last day you may object")
    may_object: bool
    objection: ObjectionOut | None


class ObjectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, Field(max_length=4000, description="Why the decision is wrong")]


def objection_out(found: Any) -> ObjectionOut:
    return ObjectionOut(
        id=found.id,
        decision_id=found.decision_id,
        text=found.text,
        created_at=found.created_at,
        status="with_supervisor" if found.outcome is None else "decided",
        outcome=found.outcome,
        reason=found.reason,
        decided_at=found.decided_at,
    )


def decision_out(found: PersonDecision, t: Translator) -> DecisionOut:
    decision = found.decision
    params: dict[str, Any] = {
        "reason": reason_for_reader(
            decision.reason,
            decision.reason_code,
            decision.reason_note,
            decision.note_language,
            t,
        )
    }
    standard = decision.reason_code if decision.reason_code in STANDARD_REASON_TEXTS else None
    if decision.new_deadline is not None:
        params["new_deadline"] = t.format_date(decision.new_deadline)
    how = None
    if decision.objection_until is not None:
        how = t.gettext(HOW_TO_OBJECT, objection_until=t.format_date(decision.objection_until))
    referral = found.referrals[-1].status.value if found.referrals else None
    return DecisionOut(
        id=decision.id,
        case_id=decision.case_id,
        kind=decision.kind.value,
        title=t.gettext(DECISION_TITLES[decision.kind]),
        text=t.gettext(DECISION_TEXTS[decision.kind], **params),
        reason=decision.reason,
        reason_code=decision.reason_code,
        standard_reason=None if standard is None else standard_reason_text(standard, t),
        note=decision.reason_note or None,
        note_language=decision.note_language if decision.reason_note else None,
        note_language_name=language_name(decision.note_language, t)
        if decision.reason_note and decision.note_language
        else None,
        created_at=decision.created_at,
        new_deadline=decision.new_deadline,
        referral=referral,
        how_to_object=how,
        objection_until=decision.objection_until,
        may_object=found.may_object,
        objection=None if found.objection is None else objection_out(found.objection),
    )


@router.get("/decisions", response_model=list[DecisionOut])
def my_decisions(
    request: Request, person: SignedInPerson = Depends(current_person)
) -> list[DecisionOut]:
    """Decisions on your cases, newest first: the reason, how to object and until when."""
    container = container_of(request)
    with container.uow() as uow:
        found = decisions_of(uow, container.clock, person.person_id)
    t = translator_for(request)
    return [decision_out(d, t) for d in found]


@router.post(
    "/decisions/{decision_id}/objection",
    status_code=201,
    response_model=ObjectionOut,
    responses={
        404: {"description": "decision_not_found"},
        409: {
            "description": "objection_exists, objection_period_over, decision_not_objectable, "
            "idempotency_key_reused"
        },
        422: {"description": "objection_text_required"},
    },
)
def object_to_my_decision(
    decision_id: str,
    body: ObjectionIn,
    request: Request,
    person: SignedInPerson = Depends(current_person),
    key: str | None = Depends(idempotency_key),
) -> JSONResponse:
    """Object to a decision: the case reopens for a supervisor who did not take it.
    Accepts ``Idempotency-Key``."""
    container = container_of(request)

    def create(uow: UnitOfWork) -> Answer:
        objection = object_to_decision(
            uow, container.clock, person.person_id, decision_id, body.text
        )
        return Answer(201, objection_out(objection).model_dump(mode="json"))

    answer = run_once(
        container.uow,
        container.clock,
        idempotent_request(
            request, f"person:{person.person_id}", key, body.model_dump(mode="json")
        ),
        create,
    )
    return answer_response(answer)


# --- inbox -------------------------------------------------------------------------------------


class InboxMessageOut(BaseModel):
    id: str
    kind: str = Field(
        description="reminder, notice, notice_resolved, notice_confirmed, address_changed, "
        "case_opened, decision, referral_confirmed, referral_rejected, objection_received, "
        "objection_decided"
    )
    title: str
    text: str
    subject_id: str | None = Field(description="The notice, case, decision or objection")
    created_at: datetime
    read_at: datetime | None


@router.get("/inbox", response_model=list[InboxMessageOut])
def my_inbox(
    request: Request, person: SignedInPerson = Depends(current_person)
) -> list[InboxMessageOut]:
    """Every message about your notices and cases, newest first, in your language."""
    container = container_of(request)
    with container.uow() as uow:
        items = inbox_of(uow, person.person_id, translator_for(request))
    return [
        InboxMessageOut(
            id=i.id,
            kind=i.kind,
            title=i.title,
            text=i.text,
            subject_id=i.subject_id,
            created_at=i.created_at,
            read_at=i.read_at,
        )
        for i in items
    ]


@router.post(
    "/inbox/{message_id}/read",
    status_code=204,
    response_class=Response,
    responses=problem_responses({404: ["message_not_found"]}),
)
def read_my_message(
    message_id: str, request: Request, person: SignedInPerson = Depends(current_person)
) -> Response:
    """Mark a message read (404 ``message_not_found``)."""
    container = container_of(request)
    found = mark_read(container.uow, container.clock, person.person_id, message_id)
    if not found:
        raise compliance_error("message_not_found")
    return Response(status_code=204)


# --- web push ----------------------------------------------------------------------------------


class PushKeysIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    p256dh: Annotated[str, Field(min_length=1, max_length=200)]
    auth: Annotated[str, Field(min_length=1, max_length=100)]


class PushSubscriptionIn(BaseModel):
    """The browser's ``PushSubscription.toJSON()``."""

    model_config = ConfigDict(extra="ignore")

    # http:// reaches the allow-list only to be refused there (push_endpoint_refused), unless
    # a development or test server allows a local endpoint (settings push_local_endpoints).
    endpoint: Annotated[str, Field(pattern=r"^https?://", max_length=1000)]
    keys: PushKeysIn


class PushSubscriptionOut(BaseModel):
    id: str
    endpoint: str
    created_at: datetime


class VapidKeyOut(BaseModel):
    public_key: str = Field(description="applicationServerKey for pushManager.subscribe()")


@router.post("/push-subscriptions", status_code=201, response_model=PushSubscriptionOut)
def add_push_subscription(
    body: PushSubscriptionIn, request: Request, person: SignedInPerson = Depends(current_person)
) -> PushSubscriptionOut:
    """Receive notices and decisions as web push notifications in this browser too (the inbox
    always has them). Sending the same endpoint again renews it. Only endpoints at the known
    push services are accepted (422 ``push_endpoint_refused``)."""
    container = container_of(request)
    found = subscribe(
        container.uow,
        container.clock,
        person.person_id,
        body.endpoint,
        body.keys.p256dh,
        body.keys.auth,
        endpoints=container.push_endpoints,
        limit=container.settings.push_subscriptions_per_person,
    )
    return PushSubscriptionOut(id=found.id, endpoint=found.endpoint, created_at=found.created_at)


@router.delete("/push-subscriptions/{subscription_id}", status_code=204, response_class=Response)
def remove_push_subscription(
    subscription_id: str, request: Request, person: SignedInPerson = Depends(current_person)
) -> Response:
    """Stop web push notifications to one browser."""
    container = container_of(request)
    unsubscribe(container.uow, container.clock, person.person_id, subscription_id)
    return Response(status_code=204)


@push_router.get(
    "/vapid-public-key",
    response_model=VapidKeyOut,
    responses={503: {"description": "push_unavailable"}},
)
async def vapid_public_key(request: Request) -> VapidKeyOut:
    """The server's VAPID public key, for the browser to subscribe with."""
    key = container_of(request).delivery.push.public_key
    if key is None:
        raise compliance_error("push_unavailable")
    return VapidKeyOut(public_key=key)
