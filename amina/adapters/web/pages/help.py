"""The public help page at /help: the rules a person lives by (issue 13, point 8).

What the app sends and when, what happens after the working days without data, the deadlines,
how to object, how long data is kept and who can see it — with the numbers of the policy in
force today, read at request time (``services.policy.rules_in_force``). Linked from the landing
page, the app's menu and every notice, message and decision screen of the app.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from amina.adapters.web.context import container_of, translator_for
from amina.services.policy.rules_in_force import rules_in_force

router = APIRouter(include_in_schema=False)


@router.get("/help", response_class=HTMLResponse)
def help_page(request: Request) -> HTMLResponse:
    container = container_of(request)
    rules = rules_in_force(container.uow, container.clock)
    translator = translator_for(request)
    page: HTMLResponse = request.app.state.pages.render(
        request,
        "help.html",
        rules=rules,
        in_force_since=translator.format_date(rules.effective_from),
        today=translator.format_date(rules.today),
    )
    return page
