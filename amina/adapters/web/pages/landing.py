"""The public landing page at / : what Amina is, who must use it, and an eligibility checker."""

from __future__ import annotations

import re
from collections.abc import Mapping

from babel import Locale
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from amina.adapters.web.context import container_of, translator_for
from amina.domain.calendar import moscow_date
from amina.i18n import N_

router = APIRouter(include_in_schema=False)

#: The country a reader of each language most likely holds a passport of, preselected in the
#: checker (a guess the reader can change; Russian and English readers choose themselves).
LIKELY_CITIZENSHIP: Mapping[str, str] = {
    "uz": "UZ",
    "tg": "TJ",
    "ky": "KG",
    "hy": "AM",
    "kk": "KZ",
    "ka": "GE",
    "az": "AZ",
    "ro": "MD",
    "uk": "UA",
}

# CLDR lists groupings and placeholder codes among territories; none is a citizenship, and a
# Russian citizen is not a foreign national.
_NOT_A_CITIZENSHIP = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ", "RU"})
_ALPHA_2 = re.compile(r"^[A-Z]{2}$")

#: What the checker says about each answer of POST /api/v1/eligibility/evaluate, by its
#: ``status``, ``rule`` and ``reason`` (landing.js reads these from the page).
CHECKER_TEXTS: Mapping[str, str] = {
    "status.required": N_("Yes, you must use Amina."),
    "status.exempt": N_("No, you are exempt from using Amina."),
    "status.not_covered": N_("No, Amina does not apply to you on this date."),
    "rule.phase-1-work": N_(
        "This follows from stage 1 (from 1 September 2025): you stay to work and you are a "
        "citizen of one of the listed countries."
    ),
    "rule.phase-2-long-stay": N_(
        "This follows from stage 2 (from 1 September 2026): you stay for more than 90 days "
        "for a purpose other than work."
    ),
    "rule.other": N_("This follows from the rule %(rule)s."),
    "reason.exempt_citizenship": N_("Citizens of Belarus are exempt."),
    "reason.exempt_minor": N_(
        "Children under 18 are exempt: a parent registers them through the parent's account."
    ),
    "reason.exempt_diplomat": N_("Diplomats are exempt."),
    "reason.exempt_diplomat_family": N_("Members of diplomats' families are exempt."),
    "reason.exempt_international_org_staff": N_("Staff of international organisations are exempt."),
    "reason.no_rule_applies": N_(
        "No rule in force on this date covers your citizenship, purpose, region and length of stay."
    ),
    "next.required": N_("Open the Amina app to register your place of stay."),
    "policy": N_("Policy version: %(version)s"),
    "error": N_("The check did not work. Please try again later."),
}


def citizenships(locale: Locale) -> list[tuple[str, str]]:
    """Every country as (ISO code, name in the reader's language), sorted by that name."""
    countries = [
        (code, name)
        for code, name in locale.territories.items()
        if _ALPHA_2.match(code) and code not in _NOT_A_CITIZENSHIP
    ]
    return sorted(countries, key=lambda item: item[1].casefold())


@router.get("/", response_class=HTMLResponse)
def landing(request: Request) -> HTMLResponse:
    translator = translator_for(request)
    today = moscow_date(container_of(request).clock.now())
    page: HTMLResponse = request.app.state.pages.render(
        request,
        "landing.html",
        countries=citizenships(translator.locale),
        likely_citizenship=LIKELY_CITIZENSHIP.get(translator.language, ""),
        today=today.isoformat(),
        checker_texts={key: translator.gettext(text) for key, text in CHECKER_TEXTS.items()},
    )
    return page
