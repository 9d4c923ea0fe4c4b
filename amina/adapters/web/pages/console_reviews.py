"""The supervisor's queues: referrals to the Registry of Controlled Persons waiting for a second
pair of eyes, and objections against decisions (SPEC §7, §10).

The rules — who may confirm (never the inspector who decided), reasons required, what
overturning undoes — are the services' (:mod:`amina.services.compliance.referrals`,
:mod:`amina.services.compliance.objections`); these pages show each item next to the decision it is
about and say plainly when the service refuses.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from amina.adapters.web.context import container_of
from amina.adapters.web.pages.case_words import (
    DECISION_KINDS,
    OBJECTION_OUTCOMES,
    REFERRAL_STATUSES,
    short_id,
)
from amina.adapters.web.problems import STATUS
from amina.adapters.web.staff_auth import render_console, staff_with, use_console_language
from amina.domain.calendar import MOSCOW
from amina.domain.decisions import ObjectionOutcome, ReferralStatus
from amina.domain.roles import Permission
from amina.i18n import N_
from amina.services.compliance.objections import submit_objection_decision
from amina.services.compliance.referrals import (
    submit_referral_confirmation,
    submit_referral_rejection,
)
from amina.services.compliance.review_queues import (
    show_objections_for_review,
    show_referrals_for_review,
)
from amina.services.errors import AminaError, ErrorKind, FieldError
from amina.services.staff.accounts import SignedInStaff

router = APIRouter(include_in_schema=False, dependencies=[Depends(use_console_language)])

REFERRALS = "/console/referrals"
OBJECTIONS = "/console/objections"


def _choose(code: str, title: str, message: str, field: str) -> AminaError:
    return AminaError(code, ErrorKind.invalid, title, errors=[FieldError(field, code, message)])


# --- referrals ----------------------------------------------------------------------------------


def _referrals_page(
    request: Request,
    staff: SignedInStaff,
    *,
    status: ReferralStatus = ReferralStatus.pending_confirmation,
    status_code: int = 200,
    error: AminaError | None = None,
    failed: str | None = None,
    form: dict[str, str] | None = None,
    done: str | None = None,
) -> HTMLResponse:
    container = container_of(request)
    items, names = show_referrals_for_review(container.uow, container.clock, staff.actor, status)
    return render_console(
        request,
        "console/referrals.html",
        status_code=status_code,
        items=items,
        names=names,
        status=status.value,
        statuses=REFERRAL_STATUSES,
        decision_kinds=DECISION_KINDS,
        error=error,
        failed=failed,
        form=form or {},
        done=done,
        short_id=short_id,
        moscow=MOSCOW,
    )


@router.get(REFERRALS, response_class=HTMLResponse)
def referral_queue_page(
    request: Request,
    status: Annotated[str, Query(max_length=30)] = ReferralStatus.pending_confirmation.value,
    done: Annotated[str | None, Query(max_length=20)] = None,
    staff: SignedInStaff = Depends(staff_with(Permission.referral_confirm)),
) -> HTMLResponse:
    try:
        chosen = ReferralStatus(status)
    except ValueError:
        chosen = ReferralStatus.pending_confirmation
    return _referrals_page(
        request, staff, status=chosen, done=done if done in ("confirmed", "rejected") else None
    )


@router.post(REFERRALS + "/{referral_id}", response_class=HTMLResponse)
def referral_decision_submit(
    request: Request,
    referral_id: str,
    action: Annotated[str, Form(max_length=10)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    staff: SignedInStaff = Depends(staff_with(Permission.referral_confirm)),
) -> Response:
    container = container_of(request)
    try:
        if action == "confirm":
            submit_referral_confirmation(
                container.uow, container.clock, staff.actor, referral_id, reason
            )
        elif action == "reject":
            submit_referral_rejection(
                container.uow, container.clock, staff.actor, referral_id, reason
            )
        else:
            raise _choose(
                "referral_action_invalid",
                N_("Confirm or reject the referral"),
                N_("Choose confirm or reject."),
                "action",
            )
    except AminaError as error:
        if error.kind is ErrorKind.not_found:
            return render_console(request, "console/refused.html", status_code=404, error=error)
        return _referrals_page(
            request,
            staff,
            status_code=STATUS[error.kind],
            error=error,
            failed=referral_id,
            form={"reason": reason},
        )
    done = "confirmed" if action == "confirm" else "rejected"
    return RedirectResponse(f"{REFERRALS}?done={done}", status_code=303)


# --- objections ---------------------------------------------------------------------------------


def _objections_page(
    request: Request,
    staff: SignedInStaff,
    *,
    decided: bool = False,
    status_code: int = 200,
    error: AminaError | None = None,
    failed: str | None = None,
    form: dict[str, str] | None = None,
    done: str | None = None,
) -> HTMLResponse:
    container = container_of(request)
    items, names = show_objections_for_review(
        container.uow, container.clock, staff.actor, decided=decided
    )
    return render_console(
        request,
        "console/objections.html",
        status_code=status_code,
        items=items,
        names=names,
        decided=decided,
        decision_kinds=DECISION_KINDS,
        outcomes=OBJECTION_OUTCOMES,
        error=error,
        failed=failed,
        form=form or {},
        done=done,
        short_id=short_id,
        moscow=MOSCOW,
    )


@router.get(OBJECTIONS, response_class=HTMLResponse)
def objection_queue_page(
    request: Request,
    decided: Annotated[bool, Query()] = False,
    done: Annotated[str | None, Query(max_length=20)] = None,
    staff: SignedInStaff = Depends(staff_with(Permission.objection_decide)),
) -> HTMLResponse:
    outcome = done if done in OBJECTION_OUTCOMES else None
    return _objections_page(request, staff, decided=decided, done=outcome)


@router.post(OBJECTIONS + "/{objection_id}", response_class=HTMLResponse)
def objection_decision_submit(
    request: Request,
    objection_id: str,
    outcome: Annotated[str, Form(max_length=10)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    staff: SignedInStaff = Depends(staff_with(Permission.objection_decide)),
) -> Response:
    container = container_of(request)
    try:
        try:
            chosen = ObjectionOutcome(outcome)
        except ValueError:
            raise _choose(
                "objection_outcome_invalid",
                N_("Uphold or overturn the decision"),
                N_("Choose uphold or overturn."),
                "outcome",
            ) from None
        submit_objection_decision(
            container.uow, container.clock, staff.actor, objection_id, chosen, reason
        )
    except AminaError as error:
        if error.kind is ErrorKind.not_found:
            return render_console(request, "console/refused.html", status_code=404, error=error)
        return _objections_page(
            request,
            staff,
            status_code=STATUS[error.kind],
            error=error,
            failed=objection_id,
            form={"outcome": outcome, "reason": reason},
        )
    return RedirectResponse(f"{OBJECTIONS}?done={chosen.value}", status_code=303)
