"""The compliance sections of the person's export (``GET /api/v1/me/export``): notices (with
the facts each was based on and the answers), reminders, decisions with objections and
referrals, and the inbox. Texts are the stored kinds and parameters, not rendered."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from amina.adapters.db.compliance.tables import CaseRow, ReminderRow
from amina.adapters.db.delivery.tables import InboxMessageRow
from amina.adapters.db.uow import UnitOfWorkFactory
from amina.services.clock import Clock
from amina.services.compliance.notices import notices_of
from amina.services.compliance.objections import decisions_of
from amina.services.my_data.plain import plain


def notices_section(uow_factory: UnitOfWorkFactory, _clock: Clock, person_id: str) -> Any:
    with uow_factory() as uow:
        return plain(notices_of(uow, person_id))


def reminders_section(uow_factory: UnitOfWorkFactory, _clock: Clock, person_id: str) -> Any:
    with uow_factory() as uow:
        reminders = uow.session.scalars(
            select(ReminderRow)
            .where(ReminderRow.person_id == person_id)
            .order_by(ReminderRow.created_at)
        ).all()
        return [
            {
                "id": r.id,
                "registration_id": r.registration_id,
                "since": plain(r.episode_start),
                "phone_reported": r.signal,
                "policy_version": r.policy_version,
                "created_at": plain(r.created_at),
            }
            for r in reminders
        ]


def cases_section(uow_factory: UnitOfWorkFactory, _clock: Clock, person_id: str) -> Any:
    with uow_factory() as uow:
        cases = uow.session.scalars(
            select(CaseRow).where(CaseRow.person_id == person_id).order_by(CaseRow.opened_at)
        ).all()
        return [
            {
                "id": c.id,
                "notice_id": c.notice_id,
                "missed_deadline": plain(c.notice_deadline),
                "status": c.status,
                "opened_at": plain(c.opened_at),
            }
            for c in cases
        ]


def decisions_section(uow_factory: UnitOfWorkFactory, clock: Clock, person_id: str) -> Any:
    with uow_factory() as uow:
        return plain(decisions_of(uow, clock, person_id))


def inbox_section(uow_factory: UnitOfWorkFactory, _clock: Clock, person_id: str) -> Any:
    with uow_factory() as uow:
        rows = uow.session.scalars(
            select(InboxMessageRow)
            .where(InboxMessageRow.person_id == person_id)
            .order_by(InboxMessageRow.created_at)
        ).all()
        return [
            {
                "id": r.id,
                "kind": r.kind,
                "params": r.params,
                "subject_id": r.subject_id,
                "created_at": plain(r.created_at),
                "read_at": plain(r.read_at),
            }
            for r in rows
        ]
