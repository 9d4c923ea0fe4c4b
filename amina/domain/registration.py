"""Registration of the place of stay: its lifecycle and its validity rules (SPEC §5).

States and allowed transitions::

    active ──notice──▶ confirmation_requested ──confirmed──▶ active
       │                     │        └──deregistered (inspector's decision, with reason)──▶
       │                     └──closed (address changed while a notice was open)
       └──closed (address changed, stay ended)

    deregistered ──restored (objection upheld by a supervisor)──▶ active
    closed is final.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class RegistrationStatus(StrEnum):
    active = "active"
    confirmation_requested = "confirmation_requested"
    deregistered = "deregistered"
    closed = "closed"


class RegistrationEventKind(StrEnum):
    registered = "registered"
    confirmation_requested = "confirmation_requested"
    confirmed = "confirmed"
    deregistered = "deregistered"
    closed = "closed"
    restored = "restored"
    #: Not a move: the person added the building's coordinates (issue 13); the status stays.
    located = "located"


S = RegistrationStatus
E = RegistrationEventKind

#: (from, to) → the event that moves a registration along that edge. Nothing else is allowed.
TRANSITIONS: dict[tuple[RegistrationStatus, RegistrationStatus], RegistrationEventKind] = {
    (S.active, S.confirmation_requested): E.confirmation_requested,
    (S.confirmation_requested, S.active): E.confirmed,
    (S.confirmation_requested, S.deregistered): E.deregistered,
    (S.active, S.closed): E.closed,
    (S.confirmation_requested, S.closed): E.closed,
    (S.deregistered, S.active): E.restored,
}

#: Transitions that need a written reason.
REASON_REQUIRED = {E.deregistered, E.restored, E.closed}


class IllegalTransition(Exception):
    def __init__(self, current: RegistrationStatus, target: RegistrationStatus) -> None:
        super().__init__(f"a registration cannot go from {current} to {target}")
        self.current = current
        self.target = target


def transition(
    current: RegistrationStatus, target: RegistrationStatus, reason: str | None = None
) -> RegistrationEventKind:
    """The event for moving ``current`` → ``target``; raises :class:`IllegalTransition`."""
    event = TRANSITIONS.get((current, target))
    if event is None:
        raise IllegalTransition(current, target)
    if event in REASON_REQUIRED and not (reason and reason.strip()):
        raise ValueError(f"{event} needs a reason")
    return event


def holds_the_place(status: RegistrationStatus) -> bool:
    """Whether a registration in this state is "the current one" (at most one per person)."""
    return status in (S.active, S.confirmation_requested)


@dataclass(frozen=True)
class StayProblem:
    field: str
    code: str


def stay_problems(
    stay_from: date,
    stay_to: date,
    *,
    today: date,
    document_valid_to: date,
    backdate_grace_days: int,
) -> list[StayProblem]:
    """What is wrong with a stay period (empty list: nothing).

    The stay must not end before it starts, must not start earlier than ``backdate_grace_days``
    before today (policy), must not have ended already, and must not run beyond the document
    that allows the stay (the card's validity).
    """
    problems: list[StayProblem] = []
    if stay_to < stay_from:
        problems.append(StayProblem("stay_to", "stay_ends_before_it_starts"))
    if stay_from < today - timedelta(days=backdate_grace_days):
        problems.append(StayProblem("stay_from", "stay_starts_too_far_in_the_past"))
    if stay_to < today:
        problems.append(StayProblem("stay_to", "stay_already_ended"))
    if stay_to > document_valid_to:
        problems.append(StayProblem("stay_to", "stay_beyond_document_validity"))
    return problems
