"""What the person reads about their visits (inbox, SMS, push), in their language: the
reminders the day before and two hours before, and a visit cancelled because the centre closed
the day. Rendered by :func:`amina.services.compliance.messages.render` like every message."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Any

from amina.domain.booking import CENTRE_NAME, service
from amina.i18n import N_, Translator


class BookingMessage(StrEnum):
    reminder_day_before = "booking_reminder_day_before"
    reminder_two_hours = "booking_reminder_two_hours"
    day_closed = "booking_day_closed"


KINDS = frozenset(BookingMessage)

TITLES: dict[str, str] = {
    BookingMessage.reminder_day_before: N_("Your visit to the migration centre is tomorrow"),
    BookingMessage.reminder_two_hours: N_("Your visit to the migration centre is soon"),
    BookingMessage.day_closed: N_("Your visit was cancelled: the centre is closed that day"),
}
BODIES: dict[str, str] = {
    BookingMessage.reminder_day_before: N_(
        "%(service)s at %(centre)s on %(day)s at %(time)s. Take your ticket and the documents "
        "listed in the app."
    ),
    BookingMessage.reminder_two_hours: N_(
        "%(service)s at %(centre)s today at %(time)s. Show your ticket at the entrance."
    ),
    BookingMessage.day_closed: N_(
        "The centre does not receive visitors on %(day)s (%(reason)s), so your visit for "
        "%(service)s was cancelled. Choose a new time in the app: free times are offered there."
    ),
}
SMS: dict[str, str] = {
    BookingMessage.reminder_day_before: N_(
        "Amina: %(service)s at MMC Sakharovo tomorrow, %(day)s at %(time)s. Ticket in the app."
    ),
    BookingMessage.reminder_two_hours: N_(
        "Amina: %(service)s at MMC Sakharovo today at %(time)s. Ticket in the app."
    ),
    BookingMessage.day_closed: N_(
        "Amina: MMC Sakharovo is closed on %(day)s, your visit was cancelled. Choose a new time "
        "in the app."
    ),
}


def _params(params: Mapping[str, Any], t: Translator) -> dict[str, Any]:
    found = service(str(params.get("service", "")))
    return {
        "service": t.gettext(found.name) if found else str(params.get("service", "")),
        "centre": t.gettext(CENTRE_NAME),
        "day": t.format_date(date.fromisoformat(str(params["day"]))) if "day" in params else "",
        "time": str(params.get("time", "")),
        "reason": str(params.get("reason", "")),
    }


def render_booking(kind: str, params: Mapping[str, Any], t: Translator) -> tuple[str, str]:
    p = _params(params, t)
    return t.gettext(TITLES[kind]), t.gettext(BODIES[kind], **p)


def booking_sms(kind: str, params: Mapping[str, Any], t: Translator) -> str:
    return t.gettext(SMS[kind], **_params(params, t))
