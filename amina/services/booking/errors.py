"""The booking feature's errors, with their stable codes (API.md: a full slot is ``slot_full``)."""

from __future__ import annotations

from amina.i18n import N_
from amina.services.errors import AminaError, ErrorKind


def slot_full() -> AminaError:
    return AminaError(
        "slot_full",
        ErrorKind.conflict,
        N_("This time is already taken"),
        N_("Every seat of this time was booked a moment ago. Choose another time."),
    )


def slot_not_found() -> AminaError:
    return AminaError(
        "slot_not_found",
        ErrorKind.not_found,
        N_("No such time"),
        N_("This time does not exist or is no longer offered."),
    )


def service_unknown() -> AminaError:
    return AminaError(
        "service_unknown",
        ErrorKind.invalid,
        N_("No such service"),
        N_("Choose one of the centre's services."),
    )


def service_not_for_you() -> AminaError:
    return AminaError(
        "service_not_for_you",
        ErrorKind.forbidden,
        N_("This service is not for you"),
        N_("Only people whose card is lost can book the replacement of a lost card."),
    )


def already_booked() -> AminaError:
    return AminaError(
        "already_booked",
        ErrorKind.conflict,
        N_("You already have a visit for this service"),
        N_("Move or cancel the visit you have before booking another one for the same service."),
    )


def booking_not_found() -> AminaError:
    return AminaError(
        "booking_not_found",
        ErrorKind.not_found,
        N_("Visit not found"),
        N_("There is no such visit."),
    )


def booking_not_changeable() -> AminaError:
    return AminaError(
        "booking_not_changeable",
        ErrorKind.conflict,
        N_("This visit can no longer be changed"),
        N_("The visit was cancelled, has taken place or its hold has run out."),
    )


def hold_expired() -> AminaError:
    return AminaError(
        "hold_expired",
        ErrorKind.conflict,
        N_("The time was not kept for you any longer"),
        N_("You did not confirm in time and the seat was released. Choose a time again."),
    )


def wrong_service() -> AminaError:
    return AminaError(
        "slot_of_another_service",
        ErrorKind.invalid,
        N_("This time is for another service"),
        N_("Choose a time of the same service."),
    )


def ticket_not_found() -> AminaError:
    return AminaError(
        "ticket_not_found",
        ErrorKind.not_found,
        N_("Ticket not found"),
        N_("No visit has this code. Check the code and try again."),
    )


def template_invalid() -> AminaError:
    return AminaError(
        "template_invalid",
        ErrorKind.invalid,
        N_("The opening hours are not valid"),
        N_("Closing must be after opening, and counters between 0 and 200."),
    )


def reason_required() -> AminaError:
    return AminaError(
        "reason_required",
        ErrorKind.invalid,
        N_("Give a reason"),
        N_("Write why, in at least five characters. It goes to the audit log."),
    )
