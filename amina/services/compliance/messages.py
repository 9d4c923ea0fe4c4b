"""What the person reads about reminders, notices, cases and decisions, in their language.

Messages are stored as a *kind* and *parameters* (dates as ``YYYY-MM-DD``, the staff member's
written reason as written) and rendered with a :class:`~amina.i18n.Translator`:

- the **in-app inbox** and ``GET /api/v1/me/notices`` render when read, in the person's language
  at that moment — changing the language changes what the inbox shows;
- **SMS** and **web push** render once, when the message is put in the outbox, in the person's
  language at that moment (what leaves the system cannot be changed afterwards).

Dates are printed as calendar dates in the person's locale ("10 November 2025").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from amina.domain.compliance import NoticeKind, PhoneSignal
from amina.domain.decisions import DecisionKind
from amina.i18n import N_, Translator
from amina.services.booking import messages as booking_messages
from amina.services.patent import messages as patent_messages


class MessageKind(StrEnum):
    reminder = "reminder"
    notice = "notice"
    notice_resolved = "notice_resolved"
    notice_confirmed = "notice_confirmed"
    address_changed = "address_changed"
    case_opened = "case_opened"
    decision = "decision"
    referral_confirmed = "referral_confirmed"
    referral_rejected = "referral_rejected"
    objection_received = "objection_received"
    objection_decided = "objection_decided"


#: What the phone reported last, as a reminder says it.
SIGNALS: dict[str, str] = {
    PhoneSignal.permission_off: N_("location permission for Amina is off"),
    PhoneSignal.location_services_off: N_("location services on the phone are off"),
    PhoneSignal.battery_saver: N_("battery saver is on and may stop the app"),
    PhoneSignal.no_contact: N_("nothing (the phone has not been in touch)"),
}

#: The notice's text (``GET /api/v1/me/notices`` ``text``), by notice kind.
NOTICE_TEXTS: dict[str, str] = {
    NoticeKind.no_data: N_(
        "No location data has reached Amina since %(since)s. Confirm your address or report a "
        "change by %(deadline)s."
    ),
    NoticeKind.out_of_region: N_(
        "Your phone has reported places outside Moscow and Moscow Oblast since %(since)s. "
        "Confirm your address or report a change by %(deadline)s."
    ),
    NoticeKind.away_from_address: N_(
        "Your phone has reported places far from your registered address since %(since)s. "
        "Confirm your address or report a change by %(deadline)s."
    ),
}
NOTICE_RIGHTS = N_(
    "If you do not answer in time, an inspector will review your case. Nothing happens to your "
    "registration without a decision with a written reason, and you can object to any decision."
)

DECISION_TITLES: dict[str, str] = {
    DecisionKind.dismiss: N_("Decision: your registration stays active"),
    DecisionKind.extend_deadline: N_("Decision: you have more time to answer"),
    DecisionKind.deregister: N_("Decision: your registration is cancelled"),
}
DECISION_TEXTS: dict[str, str] = {
    DecisionKind.dismiss: N_("An inspector reviewed your case and closed it. Reason: %(reason)s"),
    DecisionKind.extend_deadline: N_(
        "An inspector gave you more time: confirm your address or report a change by "
        "%(new_deadline)s. Reason: %(reason)s"
    ),
    DecisionKind.deregister: N_(
        "An inspector decided to deregister your place of stay. Reason: %(reason)s"
    ),
}
#: The standard reasons' words (issue 13; codes: ``domain.decisions.STANDARD_REASONS``), read
#: by the person in their language; staff choose them in the console.
STANDARD_REASON_TEXTS: dict[str, str] = {
    "no_data_no_answer": N_(
        "No location data reached Amina and the notice was not answered in time."
    ),
    "outside_region_no_answer": N_(
        "The phone reported places outside Moscow and Moscow Oblast and the notice was not "
        "answered in time."
    ),
    "not_living_at_address": N_("The checks showed no stay at the registered address."),
    "phone_fault": N_("The phone could not send its location because of a technical fault."),
    "serious_personal_reason": N_("Illness or another serious reason prevented an answer in time."),
    "reports_arrived_late": N_("Location reports or the answer arrived after the deadline."),
}
#: The inspector's own note beside a standard reason: shown as written, with its language.
NOTE_WRITTEN_IN = N_("Written by the inspector in %(language)s: %(note)s")

REFERRAL_PROPOSED = N_(
    "The inspector also proposed to include you in the Registry of Controlled Persons. This "
    "happens only if a supervisor confirms it."
)
HOW_TO_OBJECT = N_(
    "You can object to this decision in the Amina app until %(objection_until)s. A supervisor "
    "who did not take the decision will review your objection."
)
OVERTURN_RESTORED = N_("Your registration is active again.")
OVERTURN_WITHDRAWN = N_("The referral to the Registry of Controlled Persons is withdrawn.")

TITLES: dict[str, str] = {
    MessageKind.reminder: N_("Is your phone still sending your location?"),
    MessageKind.notice: N_("Confirm your address or report a change"),
    MessageKind.notice_resolved: N_("The notice is closed"),
    MessageKind.notice_confirmed: N_("Thank you: your address is confirmed"),
    MessageKind.address_changed: N_("Thank you: your new address is registered"),
    MessageKind.case_opened: N_("An inspector will review your case"),
    MessageKind.referral_confirmed: N_("The referral to the Registry was confirmed"),
    MessageKind.referral_rejected: N_("The referral to the Registry was not confirmed"),
    MessageKind.objection_received: N_("Your objection was received"),
}
OBJECTION_TITLES: dict[str, str] = {
    "uphold": N_("Your objection was not accepted"),
    "overturn": N_("Your objection was accepted"),
}

BODIES: dict[str, str] = {
    MessageKind.reminder: N_(
        "Amina has received no location from your phone since %(since)s. What your phone "
        "reported last: %(signal)s. Please open the app and check the phone's settings, so "
        "that no notice is needed."
    ),
    MessageKind.notice_resolved: N_(
        "Location reports from your phone arrived for the days in question, so the notice of "
        "%(notice_date)s is closed. You do not need to do anything."
    ),
    MessageKind.notice_confirmed: N_(
        "Your answer to the notice of %(notice_date)s was received. Your registration is active."
    ),
    MessageKind.address_changed: N_(
        "Your answer to the notice of %(notice_date)s was received: your new address is "
        "registered and the old registration is closed."
    ),
    MessageKind.case_opened: N_(
        "The deadline of %(deadline)s for the notice of %(notice_date)s has passed without an "
        "answer. An inspector will review your case; until a decision is taken, your "
        "registration stays as it is. You can still report a change of address in the app."
    ),
    MessageKind.referral_confirmed: N_(
        "A supervisor confirmed the referral to the Registry of Controlled Persons proposed on "
        "%(decision_date)s. You can still object to the decision until %(objection_until)s."
    ),
    MessageKind.referral_rejected: N_(
        "A supervisor did not confirm the referral to the Registry of Controlled Persons "
        "proposed on %(decision_date)s. Reason: %(reason)s"
    ),
    MessageKind.objection_received: N_(
        "A supervisor will review your objection to the decision of %(decision_date)s. You will "
        "be told the outcome here."
    ),
}
OBJECTION_BODIES: dict[str, str] = {
    "uphold": N_(
        "A supervisor reviewed your objection and upheld the decision of %(decision_date)s. "
        "Reason: %(reason)s"
    ),
    "overturn": N_(
        "A supervisor reviewed your objection and overturned the decision of %(decision_date)s. "
        "Reason: %(reason)s"
    ),
}

SMS_TEXTS: dict[str, str] = {
    MessageKind.reminder: N_(
        "Amina: no location from your phone since %(since)s. Open the app and check the "
        "phone's settings."
    ),
    MessageKind.notice: N_(
        "Amina: confirm your address or report a change by %(deadline)s. Open the app to answer."
    ),
    MessageKind.notice_resolved: N_(
        "Amina: your notice is closed. You do not need to do anything."
    ),
    MessageKind.case_opened: N_(
        "Amina: the deadline has passed and an inspector will review your case. Details in the app."
    ),
    MessageKind.decision: N_(
        "Amina: a decision was taken on your case. Reason and how to object: in the app."
    ),
    MessageKind.objection_decided: N_(
        "Amina: a supervisor decided on your objection. Details in the app."
    ),
}

# The patent's messages (issue 11) go through the same inbox and outbox.
TITLES.update(patent_messages.TITLES)
BODIES.update(patent_messages.BODIES)
SMS_TEXTS.update(patent_messages.SMS_TEXTS)

#: Parameters that hold a calendar date (``YYYY-MM-DD``), printed in the person's locale.
DATE_PARAMS = (
    frozenset(
        {"since", "deadline", "new_deadline", "objection_until", "notice_date", "decision_date"}
    )
    | patent_messages.DATE_PARAMS
)


def language_name(language: str, t: Translator) -> str:
    """The name of ``language`` in the reader's language ("რუსული" for ``ru`` in Georgian)."""
    name = t.locale.languages.get(language)
    return str(name) if name else language


def standard_reason_text(code: str, t: Translator) -> str:
    """A standard reason's words in the reader's language."""
    return t.gettext(STANDARD_REASON_TEXTS[code])


def reason_for_reader(
    reason: str,
    reason_code: str | None,
    note: str | None,
    note_language: str | None,
    t: Translator,
) -> str:
    """A decision's reason as the reader reads it: a standard reason in their language, then
    the inspector's note as written, marked with its language; a reason without a standard
    one (decisions before issue 13, the API's written reasons) as written."""
    if not reason_code or reason_code not in STANDARD_REASON_TEXTS:
        return reason
    text = standard_reason_text(reason_code, t)
    if note:
        marked = t.gettext(
            NOTE_WRITTEN_IN, language=language_name(note_language or "ru", t), note=note
        )
        text = f"{text} {marked}"
    return text


def reason_as_written(reason_code: str | None, note: str, language: str) -> str:
    """The reason as staff, the audit trail and the registry keep it: the standard reason in
    the inspector's language, then the note (or the written reason alone)."""
    if not reason_code:
        return note
    words = standard_reason_text(reason_code, Translator(language))
    return f"{words} {note}" if note else words


@dataclass(frozen=True)
class Rendered:
    title: str
    text: str


def _params(params: Mapping[str, Any], t: Translator) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in params.items():
        if name in DATE_PARAMS and isinstance(value, str):
            out[name] = t.format_date(date.fromisoformat(value))
        elif name == "signal":
            out[name] = t.gettext(SIGNALS.get(str(value), SIGNALS[PhoneSignal.no_contact]))
        else:
            out[name] = value
    return out


def notice_text(kind: str, since: date, deadline: date, t: Translator) -> str:
    """The text of a notice, as ``GET /api/v1/me/notices`` gives it: what happened, what to do
    by when, and the person's rights (every notice states how to object; SPEC §10)."""
    template = NOTICE_TEXTS.get(kind, NOTICE_TEXTS[NoticeKind.no_data])
    text = t.gettext(template, since=t.format_date(since), deadline=t.format_date(deadline))
    return f"{text} {t.gettext(NOTICE_RIGHTS)}"


def render(kind: str, params: Mapping[str, Any], t: Translator) -> Rendered:
    """An inbox message (or a push notification) in the translator's language."""
    if kind in booking_messages.KINDS:
        return Rendered(*booking_messages.render_booking(kind, params, t))
    p = _params(params, t)
    if kind == MessageKind.notice:
        text = t.gettext(
            NOTICE_TEXTS.get(str(params.get("notice_kind")), NOTICE_TEXTS["no_data"]), **p
        )
        return Rendered(t.gettext(TITLES[MessageKind.notice]), f"{text} {t.gettext(NOTICE_RIGHTS)}")
    if kind == MessageKind.decision:
        decision = str(params["decision_kind"])
        if params.get("reason_code"):
            p["reason"] = reason_for_reader(
                str(params.get("reason", "")),
                str(params["reason_code"]),
                params.get("note"),
                params.get("note_language"),
                t,
            )
        parts = [t.gettext(DECISION_TEXTS[decision], **p)]
        if params.get("referral"):
            parts.append(t.gettext(REFERRAL_PROPOSED))
        if params.get("objection_until"):
            parts.append(t.gettext(HOW_TO_OBJECT, **p))
        return Rendered(t.gettext(DECISION_TITLES[decision]), " ".join(parts))
    if kind == MessageKind.objection_decided:
        outcome = str(params["outcome"])
        text = t.gettext(OBJECTION_BODIES[outcome], **p)
        if params.get("restored"):
            text = f"{text} {t.gettext(OVERTURN_RESTORED)}"
        if params.get("withdrawn"):
            text = f"{text} {t.gettext(OVERTURN_WITHDRAWN)}"
        return Rendered(t.gettext(OBJECTION_TITLES[outcome]), text)
    return Rendered(t.gettext(TITLES[kind]), t.gettext(BODIES[kind], **p))


def sms_text(kind: str, params: Mapping[str, Any], t: Translator) -> str | None:
    """The SMS for a message, or None when this kind is not sent by SMS."""
    if kind in booking_messages.KINDS:
        return booking_messages.booking_sms(kind, params, t)
    template = SMS_TEXTS.get(kind)
    if template is None:
        return None
    return t.gettext(template, **_params(params, t))
