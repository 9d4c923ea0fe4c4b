"""The audit log in words: what each audit ``action`` did, as the console's audit page says it.

A feature that writes a new audit action adds a line here (and to its catalogs); an action not
listed is shown as "Another action" with its code in a tooltip, never as raw data.
"""

from __future__ import annotations

from amina.i18n import N_

#: Audit actions, in words for the auditor.
AUDIT_ACTIONS: dict[str, str] = {
    "person.search": N_("Found a person"),
    "person.resend_code": N_("Sent a new sign-in code"),
    "person.mark_card_lost": N_("Marked a card as lost"),
    "registration.view": N_("Opened a person's registrations"),
    "case.queue": N_("Opened the case queue"),
    "case.view_file": N_("Opened a case file"),
    "case.decide": N_("Took a decision on a case"),
    "referral.queue": N_("Opened the referral queue"),
    "referral.confirm": N_("Confirmed a referral"),
    "referral.reject": N_("Rejected a referral"),
    "objection.queue": N_("Opened the objection queue"),
    "objection.decide": N_("Decided on an objection"),
    "compliance.sweep": N_("Daily check of reports, notices and cases"),
    "policy.version_added": N_("Scheduled a policy version"),
    "calendar.override_set": N_("Changed a day in the working calendar"),
    "calendar.override_removed": N_("Restored a day in the working calendar"),
    "patent.view": N_("Saw a person's work patent"),
    "patent.tariff_version_added": N_("Added a patent tariff version"),
    "booking.view": N_("Opened a visit by its ticket"),
    "booking.checked_in": N_("Checked a visitor in"),
    "booking.served": N_("Marked a visit as done"),
    "booking.no_show": N_("Marked a visitor as not come"),
    "booking.template_edit": N_("Changed the opening hours"),
    "booking.day_close": N_("Closed a day at the migration centre"),
    "staff.create": N_("Created a staff account"),
    "staff.disable": N_("Disabled a staff account"),
    "staff.reset_mfa": N_("Reset a staff member's second factor"),
}
OTHER_ACTION = N_("Another action")

#: The role the system's own entries carry.
SYSTEM_ROLE = N_("The system")
