"""The console's case screens (SPEC §7, §10): the case queue, the case file — opened only
after stating a purpose, which is audited and shown to the person — and the inspector's
decision form.

Operators, inspectors and supervisors see the queue and case files (``case.view``); the
day-by-day picture of location data only those whose role may see location data
(``location.view``); the decision form only inspectors (``case.decide``). The rules live in
:mod:`amina.services.compliance.cases`; these pages only ask and show.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from amina.adapters.web.context import container_of, translator_for
from amina.adapters.web.pages.case_timeline import timeline_picture
from amina.adapters.web.pages.case_words import (
    CASE_STATUS_BADGES,
    CASE_STATUSES,
    DECISION_KINDS,
    NOTICE_KINDS,
    NOTICE_RESOLUTIONS,
    NOTICE_STATUSES,
    OBJECTION_OUTCOMES,
    PHONE_SIGNALS,
    REFERRAL_STATUSES,
    REGISTRATION_STATUSES,
    initials,
    short_id,
)
from amina.adapters.web.problems import STATUS
from amina.adapters.web.purpose_words import purpose_text
from amina.adapters.web.staff_auth import render_console, staff_with, use_console_language
from amina.domain.calendar import MOSCOW, moscow_date
from amina.domain.decisions import CaseStatus, DecisionKind, DecisionRequest
from amina.domain.purposes import PURPOSE_CODE, STATED, Purpose, purpose_words
from amina.domain.roles import Permission
from amina.i18n import N_
from amina.services.audit.trail import purpose_required
from amina.services.compliance.cases import (
    CaseFile,
    preview_decision,
    show_case_file,
    show_case_queue,
    standard_reasons_in_force,
    submit_decision,
)
from amina.services.compliance.messages import STANDARD_REASON_TEXTS
from amina.services.compliance.review_queues import staff_names
from amina.services.errors import AminaError, ErrorKind, FieldError
from amina.services.patent.patents import show_patent_to_staff
from amina.services.staff.accounts import SignedInStaff

router = APIRouter(include_in_schema=False, dependencies=[Depends(use_console_language)])

QUEUE = "/console/cases"
#: The queue's status filter: one status, or all of them.
STATUS_FILTERS: dict[str, tuple[CaseStatus, ...]] = {
    **{s.value: (s,) for s in CaseStatus},
    "all": tuple(CaseStatus),
}


#: The patent's state, as the case file says it.
PATENT_STATES: dict[str, str] = {
    "valid": N_("valid"),
    "lapsed": N_("ended: not paid in time"),
    "term_over": N_("ended: 12 months over"),
    "not_started": N_("not started yet"),
}


def _date_or_none(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


# --- the queue ----------------------------------------------------------------------------------

#: Cases per page of the queue.
QUEUE_PAGE = 50


@router.get(QUEUE, response_class=HTMLResponse)
def case_queue_page(
    request: Request,
    status: Annotated[str, Query(max_length=20)] = "open",
    # text, not a number: the filter form sends an empty field when it is not used
    older_than: Annotated[str | None, Query(max_length=5)] = None,
    deadline_before: Annotated[str | None, Query(max_length=10)] = None,
    decided: Annotated[str | None, Query(max_length=36)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    staff: SignedInStaff = Depends(staff_with(Permission.case_view)),
) -> HTMLResponse:
    container = container_of(request)
    today = moscow_date(container.clock.now())
    statuses = STATUS_FILTERS.get(status, STATUS_FILTERS["open"])
    age = int(older_than) if older_than and older_than.strip().isdigit() else None
    # "open at least N days": opened N or more days ago, i.e. before today - N + 1
    opened_before = None if age is None else today - timedelta(days=age - 1)
    deadline = _date_or_none(deadline_before)
    cases = show_case_queue(
        container.uow,
        container.clock,
        staff.actor,
        statuses=statuses,
        opened_before=opened_before,
        deadline_before=deadline,
        limit=QUEUE_PAGE + 1,
        offset=(page - 1) * QUEUE_PAGE,
    )
    filters = {
        "status": status if status in STATUS_FILTERS else "open",
        "older_than": "" if age is None else str(age),
        "deadline_before": "" if deadline is None else deadline.isoformat(),
    }
    kept = {name: value for name, value in filters.items() if value}
    return render_console(
        request,
        "console/cases.html",
        cases=cases[:QUEUE_PAGE],
        first_number=(page - 1) * QUEUE_PAGE + 1,
        previous_page=f"{QUEUE}?{urlencode({**kept, 'page': page - 1})}" if page > 1 else None,
        next_page=(
            f"{QUEUE}?{urlencode({**kept, 'page': page + 1})}" if len(cases) > QUEUE_PAGE else None
        ),
        filters=filters,
        status_filters=list(STATUS_FILTERS),
        case_statuses=CASE_STATUSES,
        case_badges=CASE_STATUS_BADGES,
        notice_kinds=NOTICE_KINDS,
        decided=decided,
        short_id=short_id,
        moscow=MOSCOW,
    )


# --- the case file ------------------------------------------------------------------------------


def _purpose_page(
    request: Request,
    case_id: str,
    *,
    status_code: int = 200,
    error: AminaError | None = None,
    purpose: Purpose | None = None,
) -> HTMLResponse:
    return render_console(
        request,
        "console/case_purpose.html",
        status_code=status_code,
        case_id=case_id,
        short_id=short_id,
        error=error,
        reasons=STATED,
        form={"reason": purpose.code, "details": purpose.text} if purpose else {},
    )


def _stated(code: str, details: str) -> Purpose:
    """The purpose chosen from the list with its free text; refused unless it says why."""
    purpose = Purpose(code, details)
    if not purpose.is_stated():
        raise purpose_required()
    return purpose


@router.get(QUEUE + "/{case_id}", response_class=HTMLResponse)
def case_purpose_form(
    request: Request,
    case_id: str,
    _staff: SignedInStaff = Depends(staff_with(Permission.case_view)),
) -> HTMLResponse:
    """Nothing of the person is shown before the purpose is stated."""
    return _purpose_page(request, case_id)


def _case_file_page(
    request: Request,
    staff: SignedInStaff,
    found: CaseFile,
    purpose: Purpose,
    *,
    status_code: int = 200,
    error: AminaError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    container = container_of(request)
    ids: list[str | None] = [d.staff_id for d in found.decisions]
    ids += [r.confirmed_by for r in found.referrals]
    ids += [o.supervisor_id for o in found.objections]
    with container.uow() as uow:
        names = staff_names(uow, ids)
    surname, _, given = found.person_name_latin.partition(" ")
    surname_cyr, _, given_cyr = found.person_name_cyrillic.partition(" ")
    today = moscow_date(container.clock.now())
    # what the role may not see is not in ``found`` at all (services/compliance/cases.py)
    may_see_location = found.timeline is not None and found.device_status is not None
    may_see_patent = staff.can(Permission.patent_view)
    patent = None
    if may_see_patent:  # beside the registration; audited with the file's purpose
        patent = show_patent_to_staff(
            container.uow, container.clock, staff.actor, found.case.person_id, purpose
        )
    return render_console(
        request,
        "console/case_file.html",
        status_code=status_code,
        found=found,
        purpose=purpose,
        purpose_said=purpose_text(
            purpose_words(purpose.details, {PURPOSE_CODE: purpose.code}),
            translator_for(request),
        ),
        initials_latin=initials(given, surname),
        initials_cyrillic=initials(given_cyr, surname_cyr),
        picture=timeline_picture(found) if may_see_location else None,
        may_see_location=may_see_location,
        may_see_patent=may_see_patent,
        patent=patent,
        patent_states=PATENT_STATES,
        may_decide=staff.can(Permission.case_decide) and found.case.status is CaseStatus.open,
        names=names,
        today=today,
        tomorrow=today + timedelta(days=1),
        error=error,
        field_errors={e.field: e for e in (error.errors if error else [])},
        form=form or {},
        standard_reasons=standard_reasons_in_force(container.uow, container.clock),
        standard_reason_texts=STANDARD_REASON_TEXTS,
        short_id=short_id,
        moscow=MOSCOW,
        case_statuses=CASE_STATUSES,
        case_badges=CASE_STATUS_BADGES,
        notice_kinds=NOTICE_KINDS,
        notice_statuses=NOTICE_STATUSES,
        notice_resolutions=NOTICE_RESOLUTIONS,
        decision_kinds=DECISION_KINDS,
        referral_statuses=REFERRAL_STATUSES,
        objection_outcomes=OBJECTION_OUTCOMES,
        registration_statuses=REGISTRATION_STATUSES,
        phone_signals=PHONE_SIGNALS,
    )


def _open(request: Request, staff: SignedInStaff, case_id: str, purpose: Purpose) -> CaseFile:
    container = container_of(request)
    return show_case_file(container.uow, container.clock, staff.actor, case_id, purpose)


def _refusal_status(error: AminaError) -> int:
    return STATUS[error.kind]


@router.post(QUEUE + "/{case_id}", response_class=HTMLResponse)
def case_file_page(
    request: Request,
    case_id: str,
    purpose_code: Annotated[str, Form(max_length=40)] = "",
    purpose_details: Annotated[str, Form(max_length=400)] = "",
    staff: SignedInStaff = Depends(staff_with(Permission.case_view)),
) -> HTMLResponse:
    """The case file, after the purpose is chosen (with free text); audited with it."""
    purpose = Purpose(purpose_code, purpose_details)
    try:
        found = _open(request, staff, case_id, _stated(purpose_code, purpose_details))
    except AminaError as error:
        if error.kind is ErrorKind.not_found:
            return render_console(request, "console/refused.html", status_code=404, error=error)
        return _purpose_page(
            request, case_id, status_code=_refusal_status(error), error=error, purpose=purpose
        )
    return _case_file_page(request, staff, found, purpose)


def _kind_invalid() -> AminaError:
    return AminaError(
        "decision_kind_invalid",
        ErrorKind.invalid,
        N_("Choose a decision"),
        N_("Dismiss, extend the deadline or deregister."),
        errors=[FieldError("kind", "decision_kind_invalid", N_("Choose a decision."))],
    )


def _deadline_invalid() -> AminaError:
    return AminaError(
        "new_deadline_invalid",
        ErrorKind.invalid,
        N_("Give the new deadline"),
        errors=[
            FieldError("new_deadline", "new_deadline_invalid", N_("Enter a date as YYYY-MM-DD."))
        ],
    )


def _decision_request(
    request: Request, kind: str, reason: str, new_deadline: str, referral: str, reason_code: str
) -> DecisionRequest:
    try:
        chosen = DecisionKind(kind)
    except ValueError:
        raise _kind_invalid() from None
    deadline: date | None = None
    if new_deadline.strip() and chosen is DecisionKind.extend_deadline:
        deadline = _date_or_none(new_deadline.strip())
        if deadline is None:
            raise _deadline_invalid()
    # The form keeps the other fields when the inspector switches the kind; only what belongs
    # to the chosen kind is sent on. The note is written in the console's language.
    return DecisionRequest(
        chosen,
        reason,
        deadline,
        referral == "yes" and chosen is DecisionKind.deregister,
        reason_code=reason_code.strip() or None,
        note_language=use_console_language(request),
    )


def _needs_confirmation(decision_request: DecisionRequest) -> bool:
    """A deregistration (with or without a referral) is final only once the inspector has read
    what it does and confirmed it (issue 13)."""
    return decision_request.kind is DecisionKind.deregister or decision_request.referral


@router.post(QUEUE + "/{case_id}/decision", response_class=HTMLResponse)
def decision_submit(
    request: Request,
    case_id: str,
    kind: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    reason_code: Annotated[str, Form(max_length=40)] = "",
    new_deadline: Annotated[str, Form(max_length=10)] = "",
    referral: Annotated[str, Form(max_length=3)] = "",
    confirmed: Annotated[str, Form(max_length=3)] = "",
    purpose_code: Annotated[str, Form(max_length=40)] = "",
    purpose_details: Annotated[str, Form(max_length=400)] = "",
    staff: SignedInStaff = Depends(staff_with(Permission.case_decide)),
) -> Response:
    container = container_of(request)
    purpose = Purpose(purpose_code, purpose_details)
    form = {
        "kind": kind,
        "reason": reason,
        "reason_code": reason_code,
        "new_deadline": new_deadline,
        "referral": referral,
    }
    try:
        decision_request = _decision_request(
            request, kind, reason, new_deadline, referral, reason_code
        )
        if _needs_confirmation(decision_request) and confirmed != "yes":
            preview = preview_decision(
                container.uow, container.clock, staff.actor, case_id, decision_request
            )
            return render_console(
                request,
                "console/decision_confirm.html",
                case_id=case_id,
                purpose=purpose,
                preview=preview,
                form=form,
                short_id=short_id,
                decision_kinds=DECISION_KINDS,
            )
        submit_decision(container.uow, container.clock, staff.actor, case_id, decision_request)
    except AminaError as error:
        if error.kind is ErrorKind.not_found:
            return render_console(request, "console/refused.html", status_code=404, error=error)
        # Show the case file again with the error; that is another look at the person's data,
        # audited with the purpose stated when the file was opened.
        try:
            found = _open(request, staff, case_id, _stated(purpose_code, purpose_details))
        except AminaError:
            return _purpose_page(
                request, case_id, status_code=422, error=purpose_required(), purpose=purpose
            )
        return _case_file_page(
            request,
            staff,
            found,
            purpose,
            status_code=_refusal_status(error),
            error=error,
            form=form,
        )
    return RedirectResponse(f"{QUEUE}?decided={case_id}", status_code=303)
