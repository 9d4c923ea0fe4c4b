"""Notices from the person's side: read them, answer them, and their automatic resolution
(SPEC §7 "Answering a notice").

- **Confirm**: the app sends a fresh location report with the answer; it is stored through the
  ordinary report ingest with the person's active device, then the notice is ``answered`` and
  the registration is ``active`` again.
- **Change address**: a new registration, which closes the one the notice was about; the notice
  is ``answered``.
- **Covered by reports**: location reports dated from the notice's ``covered_from`` day up to
  its deadline — late queued reports that fill the gap, or a phone that is back — resolve the
  notice by themselves (:func:`resolve_notices_covered_by`; the daily sweep and the report
  ingest call it), close a case still waiting for an inspector, and the person is told.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from amina.adapters.db.compliance.store import covered_notices
from amina.adapters.db.compliance.tables import CaseRow, NoticeRow
from amina.adapters.db.identity.tables import DeviceRow
from amina.adapters.db.registration.tables import RegistrationRow
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.domain.address import Address, format_address
from amina.domain.calendar import moscow_date
from amina.domain.compliance import NoticeKind, NoticeStatus
from amina.domain.decisions import CaseStatus
from amina.domain.registration import RegistrationStatus
from amina.domain.reports import Flag
from amina.services.clock import Clock
from amina.services.compliance.errors import compliance_error
from amina.services.compliance.messages import MessageKind
from amina.services.delivery.inbox import tell
from amina.services.registration.registrations import (
    EventActor,
    RegionClassifiers,
    Registration,
    RegistrationApplication,
    confirm,
    submit_registration,
)
from amina.services.reports.ingest import Batch, ReportIngest

#: Reasons written on the registration's events.
CONFIRMED_BY_PERSON = "address confirmed in answer to a notice"
COVERED_BY_REPORTS = "location reports covered the days of the notice"


@dataclass(frozen=True)
class Notice:
    id: str
    registration_id: str
    kind: NoticeKind
    status: NoticeStatus
    since: date
    deadline: date
    covered_from: date
    policy_version: str
    facts: Mapping[str, Any] | None  # None: withheld from a staff role (a case file)
    created_at: datetime
    answered_at: datetime | None
    resolved_at: datetime | None
    resolution: str | None
    answer: Mapping[str, Any] | None


def notice_view(row: NoticeRow) -> Notice:
    return Notice(
        id=row.id,
        registration_id=row.registration_id,
        kind=NoticeKind(row.kind),
        status=NoticeStatus(row.status),
        since=row.episode_start,
        deadline=row.deadline,
        covered_from=row.covered_from,
        policy_version=row.policy_version,
        facts=dict(row.facts),
        created_at=row.created_at,
        answered_at=row.answered_at,
        resolved_at=row.resolved_at,
        resolution=row.resolution,
        answer=None if row.answer is None else dict(row.answer),
    )


def notices_of(uow: UnitOfWork, person_id: str) -> list[Notice]:
    """The person's notices, newest first (the person themself; staff read them in a case file)."""
    rows = uow.session.scalars(
        select(NoticeRow)
        .where(NoticeRow.person_id == person_id)
        .order_by(NoticeRow.created_at.desc(), NoticeRow.id)
    ).all()
    return [notice_view(row) for row in rows]


def notice_addresses(uow: UnitOfWork, person_id: str) -> dict[str, str]:
    """The registered address, in words, of each of the person's registrations that has a
    notice (by registration id): the notice says which address "I still live here" confirms.
    The person themself."""
    rows = uow.session.scalars(
        select(RegistrationRow).where(
            RegistrationRow.person_id == person_id,
            RegistrationRow.id.in_(
                select(NoticeRow.registration_id).where(NoticeRow.person_id == person_id)
            ),
        )
    ).all()
    return {
        row.id: format_address(
            Address(
                row.region,
                row.settlement,
                row.street,
                row.house,
                row.building,
                row.flat,
                row.fias_id,
                row.lat,
                row.lon,
            )
        )
        for row in rows
    }


def _open_notice(uow: UnitOfWork, person_id: str, notice_id: str) -> NoticeRow:
    row = uow.session.get(NoticeRow, (person_id, notice_id), with_for_update=True)
    if row is None:
        raise compliance_error("notice_not_found")
    if row.status != NoticeStatus.open.value:
        raise compliance_error("notice_not_open")
    registration = uow.session.get(RegistrationRow, (person_id, row.registration_id))
    if registration is None or registration.status != RegistrationStatus.confirmation_requested:
        raise compliance_error("notice_not_open")
    return row


def _active_device(uow_factory: UnitOfWorkFactory, person_id: str) -> str | None:
    with uow_factory() as uow:
        return uow.session.scalar(
            select(DeviceRow.id).where(
                DeviceRow.person_id == person_id, DeviceRow.retired_at.is_(None)
            )
        )


def confirm_notice(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ingest: ReportIngest,
    person_id: str,
    notice_id: str,
    report: Batch,
) -> Notice:
    """The person confirms the address with a fresh location report (the person only).

    The report is stored first, through the ordinary ingest with the person's active device (it
    is a real report either way); then, in one transaction, the notice is answered, the
    registration confirmed and the person thanked in the inbox.
    """
    with uow_factory() as uow:
        _open_notice(uow, person_id, notice_id)  # fail early, before storing anything
    device_id = _active_device(uow_factory, person_id)
    if device_id is None:
        raise compliance_error("confirmation_report_rejected", "report")
    outcome = ingest.ingest(person_id, device_id, report)
    result = outcome.results[0] if outcome.results else None
    if result is None or result.status == "rejected":
        raise compliance_error("confirmation_report_rejected", "report")
    with uow_factory() as uow:
        row = _open_notice(uow, person_id, notice_id)
        if row.kind == NoticeKind.out_of_region and Flag.outside_region.value in result.flags:
            raise compliance_error("confirmation_outside_region")
        now = clock.now()
        row.status = NoticeStatus.answered.value
        row.answered_at = now
        row.resolution = "confirmed"
        row.answer = {"kind": "confirm", "report_client_id": result.client_id}
        confirm(
            uow,
            clock,
            person_id,
            row.registration_id,
            EventActor.person(person_id),
            CONFIRMED_BY_PERSON,
        )
        tell(
            uow,
            clock,
            person_id,
            MessageKind.notice_confirmed,
            {"notice_date": moscow_date(row.created_at).isoformat()},
            row.id,
        )
        uow.commit()
        return notice_view(row)


def change_address(
    uow: UnitOfWork,
    clock: Clock,
    classifiers: RegionClassifiers,
    person_id: str,
    notice_id: str,
    application: RegistrationApplication,
) -> Registration:
    """The person answers a notice with a new registration (the person only). The old
    registration closes ("address changed"); in the caller's transaction."""
    row = _open_notice(uow, person_id, notice_id)
    registration = submit_registration(uow, clock, classifiers, person_id, application)
    row.status = NoticeStatus.answered.value
    row.answered_at = clock.now()
    row.resolution = "address_changed"
    row.answer = {"kind": "change_address", "registration_id": registration.id}
    tell(
        uow,
        clock,
        person_id,
        MessageKind.address_changed,
        {"notice_date": moscow_date(row.created_at).isoformat()},
        row.id,
    )
    return registration


# --- resolution by late reports ---------------------------------------------------------------


def _awaiting_case(uow: UnitOfWork, row: NoticeRow) -> CaseRow | None:
    """The case of an expired notice, if it still waits for an inspector."""
    return uow.session.scalar(
        select(CaseRow).where(
            CaseRow.person_id == row.person_id,
            CaseRow.notice_id == row.id,
            CaseRow.status == CaseStatus.open.value,
        )
    )


def resolve_notices_covered_by(uow: UnitOfWork, clock: Clock, person_id: str) -> int:
    """Resolve the person's notices that their stored reports now cover; returns how many.

    Called by the daily sweep and, right after storing reports, by the report ingest (the
    system). For each unresolved notice that the person's daily summaries cover
    (:func:`amina.domain.compliance.covered_by_reports`, evaluated by its SQL mirror) — an open
    one, or an expired one whose case still waits for an inspector: the notice is
    ``resolved``, such a case ``closed``, the registration ``active`` again, and the person is
    told. Decided cases are left to due process. In the caller's transaction.
    """
    resolved = 0
    for row in covered_notices(uow, person_id):
        case = _awaiting_case(uow, row) if row.status == NoticeStatus.expired.value else None
        if row.status == NoticeStatus.expired.value and case is None:
            continue
        now = clock.now()
        row.status = NoticeStatus.resolved.value
        row.resolved_at = now
        row.resolution = "covered_by_reports"
        if case is not None:
            case.status = CaseStatus.closed.value
            case.updated_at = now
        registration = uow.session.get(RegistrationRow, (person_id, row.registration_id))
        if (
            registration is not None
            and registration.status == RegistrationStatus.confirmation_requested
        ):
            confirm(
                uow, clock, person_id, row.registration_id, EventActor.system(), COVERED_BY_REPORTS
            )
        tell(
            uow,
            clock,
            person_id,
            MessageKind.notice_resolved,
            {"notice_date": moscow_date(row.created_at).isoformat()},
            row.id,
        )
        resolved += 1
    return resolved
