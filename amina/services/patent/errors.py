"""Errors of the patent feature, each with a stable ``code``."""

from __future__ import annotations

from amina.i18n import N_
from amina.services.errors import AminaError, ErrorKind, FieldError


def patent_not_recorded() -> AminaError:
    return AminaError(
        "patent_not_recorded",
        ErrorKind.not_found,
        N_("No patent recorded"),
        N_("Add your work patent first: its number, regions and date of issue."),
    )


def patent_invalid(field: str, code: str, message: str) -> AminaError:
    return AminaError(
        "patent_invalid",
        ErrorKind.invalid,
        N_("Check the patent's details"),
        N_("Some details of the patent are not right."),
        errors=[FieldError(field, code, message)],
    )


def patent_exists() -> AminaError:
    return AminaError(
        "patent_exists",
        ErrorKind.conflict,
        N_("This patent is already recorded"),
        N_("A patent with this number is already in your account."),
    )


def months_invalid(most: int) -> AminaError:
    return AminaError(
        "patent_months_invalid",
        ErrorKind.invalid,
        N_("This number of months cannot be paid"),
        N_("You can pay from 1 to %(most)s months now."),
        params={"most": most},
        errors=[
            FieldError(
                "months",
                "patent_months_invalid",
                N_("Choose from 1 to %(most)s months."),
                {"most": most},
            )
        ],
    )


def patent_lapsed() -> AminaError:
    return AminaError(
        "patent_lapsed",
        ErrorKind.conflict,
        N_("The patent has ended"),
        N_(
            "The last paid day has passed, so this patent can no longer be extended by paying. "
            "A new patent is needed."
        ),
    )


def term_over() -> AminaError:
    return AminaError(
        "patent_term_over",
        ErrorKind.conflict,
        N_("All 12 months are paid"),
        N_("A patent can be extended up to 12 months from its issue. Then a new patent is needed."),
    )


def payment_pending() -> AminaError:
    return AminaError(
        "patent_payment_pending",
        ErrorKind.conflict,
        N_("These months are already being paid"),
        N_(
            "A payment for these months is already open. Finish it or wait until it expires "
            "(at most 30 minutes)."
        ),
    )


def payment_not_found() -> AminaError:
    return AminaError(
        "patent_payment_not_found",
        ErrorKind.not_found,
        N_("Payment not found"),
        N_("There is no such payment in your account."),
    )


def receipt_not_ready() -> AminaError:
    return AminaError(
        "patent_receipt_not_ready",
        ErrorKind.conflict,
        N_("No receipt yet"),
        N_("A receipt is issued once the payment has gone through."),
    )


def no_tariff() -> AminaError:
    return AminaError(
        "patent_tariff_missing",
        ErrorKind.unavailable,
        N_("The amount is not known yet"),
        N_("The tariff for this year is not in Amina yet. Please try again later."),
    )


def payments_unavailable() -> AminaError:
    return AminaError(
        "payments_unavailable",
        ErrorKind.unavailable,
        N_("Payment is not available right now"),
        N_("The payment service cannot be reached. Please try again later."),
        retry_after=60,
    )


def callback_invalid() -> AminaError:
    return AminaError(
        "payment_callback_invalid",
        ErrorKind.bad_request,
        N_("Invalid callback"),
        N_("The callback's signature does not verify."),
    )


def tariff_invalid(field: str, code: str) -> AminaError:
    return AminaError(
        "patent_tariff_invalid",
        ErrorKind.invalid,
        N_("Check the tariff row"),
        N_("The tariff row cannot be saved as it is."),
        errors=[FieldError(field, code, N_("Check this value."))],
    )
