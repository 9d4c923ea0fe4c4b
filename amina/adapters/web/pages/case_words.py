"""How the console names the states of due process (message ids, translated in templates),
shared by the case, referral and objection pages."""

from __future__ import annotations

from amina.domain.slip import initials as _initials
from amina.i18n import N_

CASE_STATUSES: dict[str, str] = {
    "open": N_("Waiting for a decision"),
    "decided": N_("Decided"),
    "reopened": N_("Objection: with a supervisor"),
    "closed": N_("Closed"),
}

#: Badge colour of each case status (amina.css .badge--*).
CASE_STATUS_BADGES: dict[str, str] = {
    "open": "warning",
    "decided": "neutral",
    "reopened": "info",
    "closed": "success",
}

NOTICE_KINDS: dict[str, str] = {
    "no_data": N_("No location data"),
    "out_of_region": N_("Outside Moscow and Moscow Oblast"),
    "away_from_address": N_("Away from the registered address"),
}

NOTICE_STATUSES: dict[str, str] = {
    "open": N_("Waiting for the person's answer"),
    "answered": N_("Answered"),
    "resolved": N_("Resolved"),
    "expired": N_("Deadline missed"),
}

NOTICE_RESOLUTIONS: dict[str, str] = {
    "confirmed": N_("the person confirmed the address"),
    "address_changed": N_("the person reported a new address"),
    "covered_by_reports": N_("location reports covered the days"),
    "dismissed": N_("dismissed by an inspector"),
    "overturned": N_("the decision was overturned"),
}

DECISION_KINDS: dict[str, str] = {
    "dismiss": N_("Dismiss"),
    "extend_deadline": N_("Extend the deadline"),
    "deregister": N_("Deregister"),
}

REFERRAL_STATUSES: dict[str, str] = {
    "pending_confirmation": N_("Waiting for a supervisor's confirmation"),
    "confirmed": N_("Confirmed, being sent"),
    "sent": N_("Sent to the registry"),
    "rejected": N_("Rejected"),
    "withdrawn": N_("Withdrawn"),
}

OBJECTION_OUTCOMES: dict[str, str] = {
    "uphold": N_("Upheld: the decision stands"),
    "overturn": N_("Overturned: the decision is undone"),
}

REGISTRATION_STATUSES: dict[str, str] = {
    "active": N_("Active"),
    "confirmation_requested": N_("Confirmation requested"),
    "deregistered": N_("Deregistered"),
    "closed": N_("Closed"),
}


def short_id(identifier: str) -> str:
    """The first eight characters of an id: enough to tell cases apart on a screen and to say
    on the phone; the full id is in the page's address."""
    return identifier[:8]


def initials(given_names: str, surname: str) -> str:
    """``Farhod``, ``Rahimov`` → ``F. R.`` (as on the host's verification page)."""
    return _initials(given_names, surname)


#: What the phone reported last, as a reminder named it (amina.domain.compliance.PhoneSignal).
PHONE_SIGNALS: dict[str, str] = {
    "permission_off": N_("location permission off"),
    "location_services_off": N_("location services off"),
    "battery_saver": N_("battery saver on"),
    "no_contact": N_("no contact from the phone"),
}
