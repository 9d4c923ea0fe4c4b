"""The person's view of the audit log: who looked at their data, when and why (SPEC §10,
access transparency). Staff are shown by role and staff number, never by name or account id;
the purpose as the staff member chose it (its label, in the reader's language) and their words.

A feature whose staff action touches a person's data adds a plain-words line for its audit
``action`` to :data:`WHAT_WAS_DONE` (and to its catalogs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from amina.adapters.db.audit.tables import AuditEntryRow
from amina.adapters.db.staff.tables import StaffRow
from amina.adapters.db.uow import UnitOfWorkFactory
from amina.domain.purposes import PurposeWords, purpose_words
from amina.i18n import N_

#: What a staff action did or showed, in words the person understands, by audit action.
WHAT_WAS_DONE: dict[str, str] = {
    "person.search": N_("Found your record and saw your card details."),
    "person.resend_code": N_("Sent a new sign-in code to your phone."),
    "person.mark_card_lost": N_("Marked your card as lost."),
    "registration.view": N_("Saw your registrations of the place of stay and their history."),
    # compliance (amina/services/compliance/cases.py, referrals.py, objections.py)
    "case.view_file": N_(
        "Opened your case file: notices, answers, daily summaries of your location reports "
        "and what your phone reported."
    ),
    "case.decide": N_("Took a decision on your case."),
    "referral.confirm": N_("Confirmed the referral to the Registry of Controlled Persons."),
    "referral.reject": N_("Refused the referral to the Registry of Controlled Persons."),
    "objection.decide": N_("Decided on your objection."),
    # booking at the migration centre (amina/services/booking/centre.py)
    "booking.view": N_("Opened your visit to the migration centre by its ticket."),
    "booking.checked_in": N_("Checked you in for your visit to the migration centre."),
    "booking.served": N_("Marked your visit to the migration centre as done."),
    "booking.no_show": N_("Marked that you did not come to your visit."),
}
SOMETHING_WAS_SEEN = N_("Looked at your data.")

#: Staff roles as the person reads them.
ROLE_NAMES: dict[str, str] = {
    "operator": N_("Migration centre operator"),
    "inspector": N_("Migration centre inspector"),
    "supervisor": N_("Migration centre supervisor"),
    "auditor": N_("Data protection auditor"),
}


@dataclass(frozen=True)
class Access:
    seq: int
    at: datetime
    staff_id: str | None
    staff_number: int | None
    role: str
    action: str
    purpose: PurposeWords  # a label to translate, and the staff member's words
    what: str  # English message id
    role_name: str  # English message id


def access_log(uow_factory: UnitOfWorkFactory, person_id: str, limit: int = 500) -> list[Access]:
    """Every staff access to the person's data, newest first (the person only)."""
    with uow_factory() as uow:
        rows = uow.session.execute(
            select(AuditEntryRow, StaffRow.number)
            .outerjoin(StaffRow, StaffRow.id == AuditEntryRow.staff_id)
            .where(AuditEntryRow.person_id == person_id, AuditEntryRow.staff_id.is_not(None))
            .order_by(AuditEntryRow.seq.desc())
            .limit(limit)
        ).all()
        return [
            Access(
                seq=row.seq,
                at=row.occurred_at,
                staff_id=row.staff_id,
                staff_number=number,
                role=row.role,
                action=row.action,
                purpose=purpose_words(row.purpose, row.details),
                what=WHAT_WAS_DONE.get(row.action, SOMETHING_WAS_SEEN),
                role_name=ROLE_NAMES.get(row.role, row.role),
            )
            for row, number in rows
        ]
