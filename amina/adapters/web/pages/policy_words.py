"""The policy editor in words: every parameter's label and what it does, in the console's
language (``console_policy``). A new parameter in ``amina.domain.policy.PARAMETER_RANGES`` gets
a line in both dictionaries (and in the catalogs); a unit test refuses one without.
"""

from __future__ import annotations

from amina.i18n import N_
from amina.services.policy.versions import INITIAL_POLICY_NOTE

#: What each parameter is called, as the console says it (with its unit). Every parameter of
#: ``amina.domain.policy.PARAMETER_RANGES`` has one (a unit test checks it).
PARAMETER_LABELS: dict[str, str] = {
    "no_data_working_days": N_("Notice after more than this many working days without data"),
    "notice_deadline_working_days": N_("Working days to answer a notice"),
    "reminder_after_working_days": N_("Reminder after this many working days without data"),
    "out_of_region_days": N_("Notice after this many days outside the region"),
    "proximity_check_enabled": N_("Check that the person stays near the registered address"),
    "proximity_radius_m": N_("Near the address: radius, metres"),
    "objection_days": N_("Days to object to a decision"),
    "report_retention_days": N_("Raw location reports are kept, days"),
    "report_interval_minutes": N_("The app reports every, minutes"),
    "low_accuracy_m": N_("Low accuracy above, metres"),
    "too_old_hours": N_("A report is implausibly old after, hours"),
    "future_tolerance_minutes": N_("A device clock ahead is tolerated up to, minutes"),
    "impossible_speed_mps": N_("Impossible speed above, metres per second"),
    "registration_backdate_grace_days": N_("A registration may start this many days back"),
    "border_margin_m": N_("Near the region's border (uncertain) within, metres"),
    "far_from_address_m": N_("Far from the address beyond, metres"),
    "access_token_minutes": N_("A person's sign-in lasts, minutes"),
    "otp_ttl_minutes": N_("A sign-in code is valid for, minutes"),
    "otp_tries": N_("Tries per sign-in code"),
    "otp_challenge_lifetime_minutes": N_("A sign-in in progress lasts up to, minutes"),
    "otp_resend_first_delay_seconds": N_("A new code may be asked for after, seconds"),
    "otp_requests_per_card_per_hour": N_("Codes per card per hour"),
    "otp_requests_per_client_per_hour": N_("Codes per client address per hour"),
    "sign_in_card_failures": N_("Wrong codes per card before it is locked"),
    "sign_in_card_window_minutes": N_("Wrong codes per card are counted over, minutes"),
    "sign_in_card_lock_minutes": N_("First lock of a card, minutes"),
    "sign_in_card_lock_max_minutes": N_("Longest lock of a card, minutes"),
    "sign_in_client_failures": N_("Wrong codes per client address before it is locked"),
    "sign_in_client_window_minutes": N_("Wrong codes per client address are counted over, minutes"),
    "sign_in_client_lock_minutes": N_("First lock of a client address, minutes"),
    "sign_in_client_lock_max_minutes": N_("Longest lock of a client address, minutes"),
    "sign_in_lock_memory_hours": N_("Earlier locks count for, hours"),
    "idempotency_key_retention_days": N_("A repeated request is recognised for, days"),
}


#: What each parameter does, in a sentence a supervisor understands.
PARAMETER_DESCRIPTIONS: dict[str, str] = {
    "no_data_working_days": N_(
        "When a person's phone has sent no location for more than this many working days, the "
        "person gets a notice to confirm the address."
    ),
    "notice_deadline_working_days": N_(
        "How many working days a person has to answer a notice before a case opens."
    ),
    "reminder_after_working_days": N_(
        "A gentle reminder comes this many working days into a silence, before any notice. 0: no "
        "reminder."
    ),
    "out_of_region_days": N_(
        "A notice comes when all of a person's reports for this many days in a row are from "
        "outside Moscow and Moscow Oblast. 0: never."
    ),
    "proximity_check_enabled": N_(
        "When on, reports far from the registered address for several days also lead to a "
        "notice. Off by default: being in the region is enough."
    ),
    "proximity_radius_m": N_(
        "With the address check on: how close to the registered address counts as near."
    ),
    "objection_days": N_(
        "Calendar days a person has to object to an extension or a deregistration."
    ),
    "registration_backdate_grace_days": N_(
        "A registration may start up to this many days before the day it is submitted."
    ),
    "report_retention_days": N_(
        "Raw location reports are deleted after this many days; the daily summaries stay."
    ),
    "idempotency_key_retention_days": N_(
        "How long the server remembers a request already answered, so that a phone repeating it "
        "on a bad connection does not register or report twice."
    ),
    "report_interval_minutes": N_("How often the app sends a location while it is open."),
    "low_accuracy_m": N_("A report less precise than this is kept but marked as not precise."),
    "too_old_hours": N_(
        "A report taken longer ago than this when it arrives is marked as arriving late."
    ),
    "future_tolerance_minutes": N_(
        "A phone's clock may be ahead by this much before its reports are marked as dated in the "
        "future."
    ),
    "impossible_speed_mps": N_(
        "Two reports further apart than this speed allows are marked as impossible."
    ),
    "border_margin_m": N_(
        "A report this close to the region's border is marked uncertain: it may be on either side."
    ),
    "far_from_address_m": N_(
        "A report further than this from the registered address is marked as far from it."
    ),
    "access_token_minutes": N_(
        "How long a person stays signed in to the app before it renews the sign-in."
    ),
    "otp_ttl_minutes": N_("How long a sign-in code sent by SMS can be used."),
    "otp_tries": N_("How many wrong entries one sign-in code allows."),
    "otp_challenge_lifetime_minutes": N_(
        "How long one sign-in, with its new codes, may take in all."
    ),
    "otp_resend_first_delay_seconds": N_(
        "How long a person waits before asking for a new code; the wait grows with each new code."
    ),
    "otp_requests_per_card_per_hour": N_(
        "At most this many codes are sent for one card in an hour."
    ),
    "otp_requests_per_client_per_hour": N_(
        "At most this many codes are asked for from one network address in an hour."
    ),
    "sign_in_card_failures": N_(
        "After this many wrong codes for one card, sign-in with that card is locked for a while."
    ),
    "sign_in_card_window_minutes": N_("Wrong codes for a card are counted over this period."),
    "sign_in_card_lock_minutes": N_(
        "How long the first lock of a card lasts; later locks last longer."
    ),
    "sign_in_card_lock_max_minutes": N_("The longest a card is ever locked for at once."),
    "sign_in_client_failures": N_(
        "After this many wrong codes from one network address, sign-in from it is locked for a "
        "while."
    ),
    "sign_in_client_window_minutes": N_(
        "Wrong codes from a network address are counted over this period."
    ),
    "sign_in_client_lock_minutes": N_(
        "How long the first lock of a network address lasts; later locks last longer."
    ),
    "sign_in_client_lock_max_minutes": N_(
        "The longest a network address is ever locked for at once."
    ),
    "sign_in_lock_memory_hours": N_("Earlier locks make the next one longer for this many hours."),
}

#: Notes the system wrote on the versions it made itself (English ids, translated on display).
SYSTEM_NOTES: frozenset[str] = frozenset({INITIAL_POLICY_NOTE})
