"""The errors of notices, cases, decisions, referrals and objections, with stable codes."""

from __future__ import annotations

from amina.domain.decisions import MIN_REASON_LENGTH, Refusal
from amina.i18n import N_
from amina.services.errors import AminaError, ErrorKind, FieldError

#: code → (kind, title, detail, field message or None)
_ERRORS: dict[str, tuple[ErrorKind, str, str, str | None]] = {
    "notice_not_found": (
        ErrorKind.not_found,
        N_("Notice not found"),
        N_("There is no such notice."),
        None,
    ),
    "notice_not_open": (
        ErrorKind.conflict,
        N_("This notice can no longer be answered"),
        N_(
            "The notice has been answered or closed, or its deadline has passed. You can still "
            "report a change of address."
        ),
        None,
    ),
    "confirmation_report_rejected": (
        ErrorKind.invalid,
        N_("The location could not be used"),
        N_("Send a valid location report from your phone with your answer."),
        N_("This location report is not valid."),
    ),
    "confirmation_outside_region": (
        ErrorKind.conflict,
        N_("The location is outside Moscow and Moscow Oblast"),
        N_(
            "To confirm your address, send your location from Moscow or Moscow Oblast. If you "
            "have moved, report a change of address."
        ),
        None,
    ),
    "case_not_found": (
        ErrorKind.not_found,
        N_("Case not found"),
        N_("There is no such case."),
        None,
    ),
    "decision_not_found": (
        ErrorKind.not_found,
        N_("Decision not found"),
        N_("There is no such decision."),
        None,
    ),
    "referral_not_found": (
        ErrorKind.not_found,
        N_("Referral not found"),
        N_("There is no such referral."),
        None,
    ),
    "objection_not_found": (
        ErrorKind.not_found,
        N_("Objection not found"),
        N_("There is no such objection."),
        None,
    ),
    "reason_required": (
        ErrorKind.invalid,
        N_("State the reason"),
        N_("Every decision needs a written reason that the person can read and answer to."),
        N_("Write the reason (at least %(min)s characters)."),
    ),
    "reason_too_long": (
        ErrorKind.invalid,
        N_("The reason is too long"),
        N_("Shorten the reason."),
        N_("Shorten the reason."),
    ),
    "reason_code_unknown": (
        ErrorKind.invalid,
        N_("Choose a standard reason from the list"),
        N_("This standard reason is not in the policy in force."),
        N_("Choose a standard reason from the list."),
    ),
    "reason_code_not_for_decision": (
        ErrorKind.invalid,
        N_("This reason does not fit the decision"),
        N_("The standard reason you chose cannot carry this decision."),
        N_("Choose a reason that fits the decision."),
    ),
    "case_not_open": (
        ErrorKind.conflict,
        N_("This case is not waiting for a decision"),
        N_("The case has been decided already, or it is with a supervisor."),
        None,
    ),
    "new_deadline_required": (
        ErrorKind.invalid,
        N_("Give the new deadline"),
        N_("Extending the deadline needs the new date."),
        N_("Give the new deadline as a date."),
    ),
    "new_deadline_not_in_future": (
        ErrorKind.invalid,
        N_("The new deadline must be a later day"),
        N_("The new deadline must be after today."),
        N_("Choose a day after today."),
    ),
    "new_deadline_only_when_extending": (
        ErrorKind.invalid,
        N_("A new deadline belongs only to an extension"),
        N_("Give a new deadline only when you extend the deadline."),
        N_("Leave this empty for this decision."),
    ),
    "referral_only_with_deregistration": (
        ErrorKind.invalid,
        N_("A referral needs a deregistration"),
        N_("Only a deregistration may carry a referral to the Registry of Controlled Persons."),
        N_("Leave this off for this decision."),
    ),
    "referral_not_pending": (
        ErrorKind.conflict,
        N_("This referral is not waiting for confirmation"),
        N_("The referral has been confirmed, rejected or withdrawn already."),
        None,
    ),
    "four_eyes_required": (
        ErrorKind.forbidden,
        N_("Another staff member must do this"),
        N_("The staff member who took the decision cannot also confirm or review it."),
        None,
    ),
    "reviewer_created_decider": (
        ErrorKind.forbidden,
        N_("Another supervisor must decide this objection"),
        N_(
            "You created the account of the staff member who took the decision, so you cannot "
            "review it."
        ),
        None,
    ),
    "decision_not_objectable": (
        ErrorKind.conflict,
        N_("There is nothing to object to"),
        N_("This decision is in your favour."),
        None,
    ),
    "objection_exists": (
        ErrorKind.conflict,
        N_("You have objected already"),
        N_("Your objection to this decision is with a supervisor."),
        None,
    ),
    "objection_period_over": (
        ErrorKind.conflict,
        N_("The time to object has passed"),
        N_("Objections to this decision were possible until the date shown with it."),
        None,
    ),
    "objection_text_required": (
        ErrorKind.invalid,
        N_("Write your objection"),
        N_("Say in your own words why the decision is wrong."),
        N_("Write your objection."),
    ),
    "objection_text_too_long": (
        ErrorKind.invalid,
        N_("The objection is too long"),
        N_("Shorten your objection."),
        N_("Shorten your objection."),
    ),
    "objection_already_decided": (
        ErrorKind.conflict,
        N_("This objection has been decided"),
        N_("A supervisor has decided this objection already."),
        None,
    ),
    "message_not_found": (
        ErrorKind.not_found,
        N_("Message not found"),
        N_("There is no such message in your inbox."),
        None,
    ),
    "push_unavailable": (
        ErrorKind.unavailable,
        N_("Notifications are not available"),
        N_("This server cannot send web push notifications now. Messages still reach your inbox."),
        None,
    ),
}


def compliance_error(code: str, field: str | None = None) -> AminaError:
    kind, title, detail, field_message = _ERRORS[code]
    errors: list[FieldError] = []
    if field is not None and field_message is not None:
        errors.append(FieldError(field, code, field_message, {"min": MIN_REASON_LENGTH}))
    return AminaError(code, kind, title, detail, errors=errors)


def refused(refusal: Refusal) -> AminaError:
    """The problem document for a rule of due process that said no."""
    return compliance_error(refusal.code, refusal.field)
