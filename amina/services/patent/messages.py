"""What the person reads about the patent in the inbox, by push and by SMS (issue 11, point 6).

Stored as a kind and parameters (dates as ``YYYY-MM-DD``) and rendered in the person's language
by ``amina.services.compliance.messages.render``, which merges these tables with its own.
"""

from __future__ import annotations

from amina.i18n import N_

PATENT_PAID = "patent_paid"
PATENT_PAYMENT_FLAGGED = "patent_payment_flagged"
PATENT_REMINDER = "patent_reminder"
PATENT_LAST_DAY = "patent_last_day"
PATENT_LAPSED = "patent_lapsed"

#: Parameters holding a calendar date, printed in the person's locale.
DATE_PARAMS = frozenset({"paid_until", "pay_by"})

TITLES: dict[str, str] = {
    PATENT_PAID: N_("Patent payment received"),
    PATENT_PAYMENT_FLAGGED: N_("Your patent payment could not be counted"),
    PATENT_REMINDER: N_("Pay for your patent in time"),
    PATENT_LAST_DAY: N_("Today is the last day to pay for your patent"),
    PATENT_LAPSED: N_("Your patent has ended"),
}

BODIES: dict[str, str] = {
    PATENT_PAID: N_(
        "Your payment for %(months)s month(s) went through. Your patent is now paid until "
        "%(paid_until)s. The receipt is in the app."
    ),
    PATENT_PAYMENT_FLAGGED: N_(
        "The payment arrived but cannot extend your patent (it came after the last paid day, "
        "or the amount differs). The money is being returned to you. Your patent is paid "
        "until %(paid_until)s."
    ),
    PATENT_REMINDER: N_(
        "Your patent is paid until %(paid_until)s. Pay for the next month (%(amount)s RUB) by "
        "%(pay_by)s. There is no extra day: if the payment is late, the patent ends and you "
        "must apply for a new one."
    ),
    PATENT_LAST_DAY: N_(
        "Your patent is paid until today, %(paid_until)s. Pay for the next month "
        "(%(amount)s RUB) today. Tomorrow it will be too late: the patent ends and cannot be "
        "extended."
    ),
    PATENT_LAPSED: N_(
        "Your patent was paid until %(paid_until)s and was not paid in time, so it has ended. "
        "You may not work on it any more, and a payment now will not extend it. To work again, "
        "apply for a new patent at the migration centre (MMC). Amina takes no action against "
        "you because of this."
    ),
}

SMS_TEXTS: dict[str, str] = {
    PATENT_REMINDER: N_("Amina: your patent is paid until %(paid_until)s. Pay by %(pay_by)s."),
    PATENT_LAST_DAY: N_("Amina: today is the last day to pay for your patent. Tomorrow it ends."),
    PATENT_LAPSED: N_("Amina: your patent ended after %(paid_until)s. What to do: in the app."),
}
