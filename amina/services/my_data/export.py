"""Everything the system holds about a person, as one JSON document (API.md
``GET /api/v1/me/export``; SPEC §10 transparency).

The document is built from *sections*, in order. A feature that keeps personal data adds its
section here (or calls :func:`add_section` from its own module at import time)::

    add_section("notices", lambda uow_factory, clock, person_id: [...])

Each section builder receives the unit-of-work factory, the clock and the person id, and returns
plain JSON data (dataclasses, dates and enums are converted by :func:`plain`). The compliance
feature's sections (notices, reminders, cases, decisions, inbox) come from
:mod:`amina.services.compliance.export`.

For the person themself only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from amina.adapters.db.uow import UnitOfWorkFactory
from amina.services.clock import Clock
from amina.services.compliance.export import (
    cases_section,
    decisions_section,
    inbox_section,
    notices_section,
    reminders_section,
)
from amina.services.identity.enrolment import profile
from amina.services.my_data.access_log import access_log
from amina.services.my_data.plain import plain
from amina.services.registration.registrations import registrations_of
from amina.services.reports.my_reports import (
    MAX_PAGE,
    my_device_status,
    my_reports,
    my_summaries,
    retention,
)

SectionBuilder = Callable[[UnitOfWorkFactory, Clock, str], Any]

#: Section name → builder, in the order the document lists them.
SECTIONS: dict[str, SectionBuilder] = {}


def add_section(name: str, builder: SectionBuilder) -> None:
    """Add (or replace) a section of the export."""
    SECTIONS[name] = builder


def _profile(uow_factory: UnitOfWorkFactory, clock: Clock, person_id: str) -> Any:
    found = profile(uow_factory, clock, person_id)
    person = found.person
    return {
        "id": person.id,
        "language": person.language,
        "language_chosen": person.language_chosen,
        "created_at": plain(person.created_at),
        "enrolled_at": plain(person.enrolled_at),
        "eligibility": plain(found.eligibility),
        "eligibility_on": plain(found.today),
        "device_bound": found.device_bound,
        "dependants": plain(found.dependants),
    }


def _card(uow_factory: UnitOfWorkFactory, clock: Clock, person_id: str) -> Any:
    return plain(profile(uow_factory, clock, person_id).person.card)


def _registrations(uow_factory: UnitOfWorkFactory, _clock: Clock, person_id: str) -> Any:
    with uow_factory() as uow:
        return plain(registrations_of(uow, person_id))


def _reports(uow_factory: UnitOfWorkFactory, clock: Clock, person_id: str) -> Any:
    everything: list[Any] = []
    cursor: str | None = None
    while True:
        page = my_reports(uow_factory, clock, person_id, cursor=cursor, limit=MAX_PAGE)
        everything += plain(page.reports)
        cursor = page.next_cursor
        if cursor is None:
            return everything


def _device_status(uow_factory: UnitOfWorkFactory, clock: Clock, person_id: str) -> Any:
    records: list[Any] = []
    latest: Any = None
    cursor: str | None = None
    while True:
        page = my_device_status(uow_factory, clock, person_id, cursor=cursor, limit=MAX_PAGE)
        latest = plain(page.latest)
        records += plain(page.records)
        cursor = page.next_cursor
        if cursor is None:
            return {"latest": latest, "records": records}


def _summaries(uow_factory: UnitOfWorkFactory, _clock: Clock, person_id: str) -> Any:
    return [
        {
            **plain(s),
            "any_inside_region": s.any_inside_region,
            "any_near_address": s.any_near_address,
        }
        for s in my_summaries(uow_factory, person_id)
    ]


def _access_log(uow_factory: UnitOfWorkFactory, _clock: Clock, person_id: str) -> Any:
    return [
        {
            "at": plain(entry.at),
            "staff_id": entry.staff_id,
            "role": entry.role,
            "action": entry.action,
            "purpose": entry.purpose,
        }
        for entry in access_log(uow_factory, person_id, limit=100_000)
    ]


add_section("profile", _profile)
add_section("card", _card)
add_section("registrations", _registrations)
add_section("reports", _reports)
add_section("device_status", _device_status)
add_section("summaries", _summaries)
add_section("notices", notices_section)
add_section("reminders", reminders_section)
add_section("cases", cases_section)
add_section("decisions", decisions_section)
add_section("inbox", inbox_section)
add_section("access_log", _access_log)


def export_everything(
    uow_factory: UnitOfWorkFactory, clock: Clock, person_id: str
) -> dict[str, Any]:
    """The whole document: when it was made, how long raw location data is kept, and every
    section."""
    now = clock.now()
    with uow_factory() as uow:
        kept = retention(uow, clock)
    return {
        "exported_at": now.isoformat(),
        "person_id": person_id,
        "retention": {
            "report_retention_days": kept.report_retention_days,
            "raw_reports_and_device_status": "deleted after report_retention_days days",
            "summaries": "kept for the life of the registration",
            "policy_version": kept.policy_version,
        },
        **{name: build(uow_factory, clock, person_id) for name, build in SECTIONS.items()},
    }
