"""The audit log for auditors (SPEC §10): in words, filtered and paged.

Staff are named by role and staff number, people by card number, actions and purposes in the
console's language (``audit_words``, ``amina.domain.purposes``); nothing of the raw entry (ids,
JSON details) is shown. Filters: a Moscow date range, staff number, role, action and card
number; paging newest first, the filter kept from page to page.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from amina.adapters.web.context import container_of, translator_for
from amina.adapters.web.pages.audit_words import AUDIT_ACTIONS, OTHER_ACTION, SYSTEM_ROLE
from amina.adapters.web.purpose_words import purpose_text
from amina.adapters.web.staff_auth import render_console, staff_with, use_console_language
from amina.domain.audit import ChainReport
from amina.domain.calendar import MOSCOW
from amina.domain.cards import normalise_card_number
from amina.domain.roles import Permission, Role
from amina.i18n import N_
from amina.services.audit.review import (
    AuditEntry,
    AuditFilter,
    audit_actions,
    audit_integrity,
    audit_page,
)
from amina.services.staff.accounts import SignedInStaff

router = APIRouter(include_in_schema=False, dependencies=[Depends(use_console_language)])

AUDIT = "/console/audit"

CHAIN_PROBLEMS: dict[str, str] = {
    "link to the previous entry does not match": N_(
        "Its link to the previous entry does not match: an entry before it was changed, "
        "removed or inserted."
    ),
    "entry content does not match its hash": N_(
        "Its content does not match its hash: the entry was changed."
    ),
}


def _moscow_time(at: datetime) -> str:
    return at.astimezone(MOSCOW).strftime("%Y-%m-%d %H:%M:%S")


def _chain_problem(report: ChainReport) -> str | None:
    if report.problem is None:
        return None
    return CHAIN_PROBLEMS.get(report.problem, report.problem)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text.strip() else None
    except ValueError:
        return None


def _number(text: str) -> int | None:
    text = text.strip().lstrip("№").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def _filter(form: dict[str, str]) -> AuditFilter:
    roles = {role.value for role in Role} | {"system"}
    card = normalise_card_number(form["card"]) if form["card"].strip() else None
    return AuditFilter(
        day_from=_day(form["from"]),
        day_to=_day(form["to"]),
        staff_number=_number(form["staff"]),
        role=form["role"] if form["role"] in roles else None,
        action=form["action"] or None,
        card_number=card or None,
    )


@router.get(AUDIT, response_class=HTMLResponse)
def audit_log(
    request: Request,
    before: Annotated[int | None, Query(ge=1)] = None,
    day_from: Annotated[str, Query(alias="from", max_length=10)] = "",
    day_to: Annotated[str, Query(alias="to", max_length=10)] = "",
    staff_number: Annotated[str, Query(alias="staff", max_length=12)] = "",
    role: Annotated[str, Query(max_length=20)] = "",
    action: Annotated[str, Query(max_length=80)] = "",
    card: Annotated[str, Query(max_length=30)] = "",
    staff: SignedInStaff = Depends(staff_with(Permission.audit_read)),
) -> HTMLResponse:
    """The log, newest first, a page at a time, narrowed by the filter."""
    container = container_of(request)
    form = {
        "from": day_from,
        "to": day_to,
        "staff": staff_number,
        "role": role,
        "action": action,
        "card": card,
    }
    with container.uow() as uow:
        page = audit_page(uow, staff.actor, before=before, where=_filter(form))
        actions = audit_actions(uow, staff.actor)
        verification = audit_integrity(uow, staff.actor, container.audit_checkpoints)
    kept = {name: value for name, value in form.items() if value}
    translator = translator_for(request)

    def purpose_of(entry: AuditEntry) -> str:
        return purpose_text(entry.purpose_words, translator) or "—"

    return render_console(
        request,
        "console/audit.html",
        page=page,
        form=form,
        filtered=bool(kept),
        actions=sorted(
            {*AUDIT_ACTIONS, *actions},
            key=lambda a: translator.gettext(AUDIT_ACTIONS.get(a, OTHER_ACTION)),
        ),
        audit_actions=AUDIT_ACTIONS,
        other_action=OTHER_ACTION,
        system_role=SYSTEM_ROLE,
        roles=list(Role),
        purpose_of=purpose_of,
        first_page=f"{AUDIT}?{urlencode(kept)}" if kept else AUDIT,
        next_page=(
            f"{AUDIT}?{urlencode({**kept, 'before': page.older_than})}" if page.older_than else None
        ),
        report=verification.chain,
        checkpoints=verification,
        chain_problem=_chain_problem(verification.chain),
        before=before,
        moscow_time=_moscow_time,
    )
