"""Registration of the place of stay: submit, read, and move along the lifecycle (SPEC §5).

Every change of status is an event row (who, when, why) written in the same transaction as the
change. At most one registration per person holds the place; a new one closes the previous one
in the same transaction ("address changed"). Two submissions racing each other cannot both win:
the database's partial unique index refuses the second, which is then answered with a clear
conflict (or, with the same ``Idempotency-Key``, with the first answer; see
:mod:`amina.services.idempotency`).

None of these functions commits: the caller's unit of work does, once, at the use-case boundary.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from sqlalchemy import Table, func, select, text
from sqlalchemy.exc import IntegrityError

from amina.adapters.db.bulk import insert_rows
from amina.adapters.db.identity.tables import CardRow, DependantRow, PersonRow
from amina.adapters.db.registration.store import move_statuses
from amina.adapters.db.registration.tables import (
    RegistrationCodeRow,
    RegistrationDependantRow,
    RegistrationEventRow,
    RegistrationRow,
)
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.domain.address import REGIONS, Address, check_place
from amina.domain.address_register import RegisterEntry
from amina.domain.calendar import moscow_date
from amina.domain.geo import RegionClassifier
from amina.domain.host import Host, HostKind, host_problems
from amina.domain.registration import (
    TRANSITIONS,
    IllegalTransition,
    RegistrationEventKind,
    RegistrationStatus,
    holds_the_place,
    stay_problems,
    transition,
)
from amina.domain.roles import Permission
from amina.domain.slip import (
    RANDOM_BYTES,
    slip_code_from,
)
from amina.i18n import N_, NP_
from amina.services.audit.trail import Actor, Purpose, record_access
from amina.services.clock import Clock
from amina.services.errors import AminaError, ErrorKind, FieldError
from amina.services.policy.versions import policy_book
from amina.services.ports import AddressRegister
from amina.services.staff.permissions import require

S = RegistrationStatus
E = RegistrationEventKind

_EVENTS: Table = RegistrationEventRow.__table__  # type: ignore[assignment]
#: Rows per ``IN (…)`` list.
_IN_LIST = 1000

#: The reason written on the old registration's ``closed`` event when a new one replaces it.
ADDRESS_CHANGED = "address changed"

#: Gives a region classifier for a border margin in metres (the policy's ``border_margin_m``);
#: in production ``amina.adapters.external.boundaries.region_classifier``.
RegionClassifiers = Callable[[float], RegionClassifier]
RandomBytes = Callable[[int], bytes]


class LocationSource(StrEnum):
    """How a registration's coordinates were given — always by the person (issue 13)."""

    #: typed into the registration (the API accepts them; the app no longer asks)
    at_registration = "at_registration"
    #: "I am at this address now — use my location"
    at_address = "at_address"
    #: "Your phone is usually here at night — is this your home?" answered yes
    night_place = "night_place"


# --- what a person submits, and what they get back -----------------------------------------


@dataclass(frozen=True)
class RegistrationApplication:
    address: Address
    host: Host
    stay_from: date
    stay_to: date
    purpose: str
    dependants: tuple[str, ...] = ()
    #: The address as the state register knows it (its ``fias_id``), asked before the
    #: transaction by :func:`looked_up`; None when it was typed, or the register does not know it.
    register_entry: RegisterEntry | None = None


def looked_up(
    application: RegistrationApplication, addresses: AddressRegister
) -> RegistrationApplication:
    """The application with what the state register says about its ``fias_id``. Called before
    the registration's transaction: the register is a port (it may be a remote service), and
    no transaction should wait on it."""
    fias_id = application.address.fias_id
    if not fias_id or not fias_id.strip():
        return application
    return replace(application, register_entry=addresses.find(fias_id.strip()))


ActorKind = Literal["person", "staff", "system"]


#: The stored column (a string) read back as the kind it was written from.
_ACTOR_KINDS: dict[str, ActorKind] = {"person": "person", "staff": "staff", "system": "system"}


@dataclass(frozen=True)
class EventActor:
    """Who moved a registration: the person, a staff member (with role) or the system."""

    kind: ActorKind
    id: str | None
    role: str | None = None

    @classmethod
    def person(cls, person_id: str) -> EventActor:
        return cls("person", person_id, None)

    @classmethod
    def staff(cls, actor: Actor) -> EventActor:
        if actor.staff_id is None:
            return cls.system()
        return cls("staff", actor.staff_id, actor.role)

    @classmethod
    def system(cls) -> EventActor:
        return cls("system", None, "system")


@dataclass(frozen=True)
class RegistrationEvent:
    id: str
    kind: str
    from_status: str | None
    to_status: str
    actor: EventActor
    reason: str | None
    at: datetime


@dataclass(frozen=True)
class CoveredDependant:
    id: str
    name_latin: str
    name_cyrillic: str | None


@dataclass(frozen=True)
class Registration:
    id: str
    person_id: str
    number: str
    slip_code: str
    status: RegistrationStatus
    address: Address
    near_border: bool
    host: Host
    stay_from: date
    stay_to: date
    purpose: str
    dependants: tuple[CoveredDependant, ...]
    policy_version: str
    created_at: datetime
    events: tuple[RegistrationEvent, ...]


@dataclass(frozen=True)
class Holder:
    """The person a registration belongs to, as their card names them."""

    person_id: str
    given_names_lat: str
    surname_lat: str
    given_names_cyr: str
    surname_cyr: str
    language: str
    card_valid_to: date

    @property
    def name_latin(self) -> str:
        return f"{self.surname_lat} {self.given_names_lat}"

    @property
    def name_cyrillic(self) -> str:
        return f"{self.surname_cyr} {self.given_names_cyr}"


# --- errors ----------------------------------------------------------------------------------

MESSAGES: dict[str, str] = {
    "region_not_covered": N_("Amina registers addresses in Moscow and Moscow Oblast only."),
    "coordinates_incomplete": N_("Give both coordinates of the building, or neither."),
    "region_does_not_match_address:RU-MOW": N_(
        "The address register places this address in Moscow Oblast, not in Moscow."
    ),
    "region_does_not_match_address:RU-MOS": N_(
        "The address register places this address in Moscow, not in Moscow Oblast."
    ),
    "coordinates_outside_regions": N_(
        "The coordinates of this address lie outside Moscow and Moscow Oblast."
    ),
    "region_does_not_match_coordinates:RU-MOW": N_(
        "The coordinates of this address lie in Moscow Oblast, not in Moscow."
    ),
    "region_does_not_match_coordinates:RU-MOS": N_(
        "The coordinates of this address lie in Moscow, not in Moscow Oblast."
    ),
    "stay_ends_before_it_starts": N_("The stay cannot end before it starts."),
    "stay_starts_too_far_in_the_past": NP_(
        "The stay can start at most %(days)s day before today.",
        "The stay can start at most %(days)s days before today.",
        count="days",
    ),
    "stay_already_ended": N_("This stay has already ended."),
    "stay_beyond_document_validity": N_(
        "The stay cannot last beyond the validity of your card (%(valid_to)s)."
    ),
    "host_document_required": N_("Enter the number of the host's identity document."),
    "host_inn_required": N_("Enter the organisation's taxpayer number (INN)."),
    "host_inn_invalid": N_("This taxpayer number (INN) is not valid: check its digits."),
    "dependant_unknown": N_("This child is not among the children on your account."),
}


def _field_error(
    field: str, code: str, message_key: str | None = None, **params: str
) -> FieldError:
    return FieldError(field, code, MESSAGES[message_key or code], dict(params))


def registration_invalid(errors: list[FieldError]) -> AminaError:
    fields = {error.field for error in errors}
    if fields <= {"stay_from", "stay_to"}:
        code, title = "stay_period_invalid", N_("The stay period is not valid")
    elif all(field.startswith("address.") for field in fields):
        code, title = "address_invalid", N_("The address is not valid")
    else:
        code, title = "registration_invalid", N_("The registration is not valid")
    return AminaError(
        code,
        ErrorKind.invalid,
        title,
        N_("Correct the fields listed and send the registration again."),
        errors=errors,
    )


def registration_conflict() -> AminaError:
    return AminaError(
        "registration_conflict",
        ErrorKind.conflict,
        N_("Another registration was saved at the same moment"),
        N_("Your registrations changed while this one was being saved. Reload them and try again."),
    )


def no_active_registration() -> AminaError:
    return AminaError(
        "no_active_registration",
        ErrorKind.not_found,
        N_("No active registration"),
        N_("You have no active registration of your place of stay."),
    )


def person_not_found() -> AminaError:
    # the same words as amina.services.identity.enrolment's, which this module must not import (the
    # person's profile there shows the current registration from here)
    return AminaError(
        "person_not_found",
        ErrorKind.not_found,
        N_("Person not found"),
        N_("No person matches what was entered."),
    )


def registration_not_found() -> AminaError:
    return AminaError(
        "registration_not_found",
        ErrorKind.not_found,
        N_("Registration not found"),
        N_("There is no such registration."),
    )


# --- reading ---------------------------------------------------------------------------------


def holder(uow: UnitOfWork, person_id: str) -> Holder | None:
    """The person and the card that names them; None if there is no such person."""
    row = uow.session.execute(
        select(PersonRow, CardRow)
        .join(CardRow, CardRow.card_number == PersonRow.card_number)
        .where(PersonRow.id == person_id)
    ).first()
    if row is None:
        return None
    person, card = row
    return Holder(
        person_id=person.id,
        given_names_lat=card.given_names_lat,
        surname_lat=card.surname_lat,
        given_names_cyr=card.given_names_cyr,
        surname_cyr=card.surname_cyr,
        language=person.language,
        card_valid_to=card.valid_to,
    )


def _views(uow: UnitOfWork, rows: Sequence[RegistrationRow]) -> list[Registration]:
    if not rows:
        return []
    person_ids = {row.person_id for row in rows}
    ids = [row.id for row in rows]
    events: dict[str, list[RegistrationEvent]] = {i: [] for i in ids}
    for event in uow.session.scalars(
        select(RegistrationEventRow)
        .where(
            RegistrationEventRow.person_id.in_(person_ids),
            RegistrationEventRow.registration_id.in_(ids),
        )
        .order_by(RegistrationEventRow.at, RegistrationEventRow.seq)
    ):
        events[event.registration_id].append(
            RegistrationEvent(
                id=event.id,
                kind=event.kind,
                from_status=event.from_status,
                to_status=event.to_status,
                actor=EventActor(
                    _ACTOR_KINDS[event.actor_kind],
                    event.actor_id,
                    event.actor_role,
                ),
                reason=event.reason,
                at=event.at,
            )
        )
    covered: dict[str, list[CoveredDependant]] = {i: [] for i in ids}
    for link, child in uow.session.execute(
        select(RegistrationDependantRow, DependantRow)
        .join(
            DependantRow,
            (DependantRow.person_id == RegistrationDependantRow.person_id)
            & (DependantRow.id == RegistrationDependantRow.dependant_id),
        )
        .where(
            RegistrationDependantRow.person_id.in_(person_ids),
            RegistrationDependantRow.registration_id.in_(ids),
        )
        .order_by(DependantRow.date_of_birth, DependantRow.id)
    ):
        cyrillic = " ".join(p for p in (child.surname_cyr, child.given_names_cyr) if p) or None
        covered[link.registration_id].append(
            CoveredDependant(child.id, f"{child.surname_lat} {child.given_names_lat}", cyrillic)
        )
    return [_view(row, events[row.id], covered[row.id]) for row in rows]


def _view(
    row: RegistrationRow, events: list[RegistrationEvent], covered: list[CoveredDependant]
) -> Registration:
    return Registration(
        id=row.id,
        person_id=row.person_id,
        number=row.number,
        slip_code=row.slip_code,
        status=S(row.status),
        address=Address(
            region=row.region,
            settlement=row.settlement,
            street=row.street,
            house=row.house,
            building=row.building,
            flat=row.flat,
            fias_id=row.fias_id,
            lat=row.lat,
            lon=row.lon,
        ),
        near_border=row.near_border,
        host=Host(HostKind(row.host_kind), row.host_name, row.host_document, row.host_inn),
        stay_from=row.stay_from,
        stay_to=row.stay_to,
        purpose=row.purpose,
        dependants=tuple(covered),
        policy_version=row.policy_version,
        created_at=row.created_at,
        events=tuple(events),
    )


def registrations_of(uow: UnitOfWork, person_id: str) -> list[Registration]:
    """Every registration of a person, newest first, each with its history.

    For the person themself (``/api/v1/me/registrations``); staff use
    :func:`registrations_for_staff`, which records the access.
    """
    rows = uow.session.scalars(
        select(RegistrationRow)
        .where(RegistrationRow.person_id == person_id)
        .order_by(RegistrationRow.created_at.desc(), RegistrationRow.serial.desc())
    ).all()
    return _views(uow, rows)


def registration_of(uow: UnitOfWork, person_id: str, registration_id: str) -> Registration:
    """One of the person's registrations; ``registration_not_found`` if it is not theirs."""
    row = uow.session.get(RegistrationRow, (person_id, registration_id))
    if row is None:
        raise registration_not_found()
    return _views(uow, [row])[0]


def current_registration(uow: UnitOfWork, person_id: str) -> Registration | None:
    """The registration that holds the place (active or awaiting confirmation), if any."""
    row = _holding_row(uow, person_id)
    return None if row is None else _views(uow, [row])[0]


def _holding_row(uow: UnitOfWork, person_id: str) -> RegistrationRow | None:
    return uow.session.scalar(
        select(RegistrationRow).where(
            RegistrationRow.person_id == person_id,
            RegistrationRow.status.in_([s.value for s in S if holds_the_place(s)]),
        )
    )


# --- submitting ------------------------------------------------------------------------------


def _place_problems(
    classifiers: RegionClassifiers, address: Address, border_margin_m: float
) -> tuple[list[FieldError], bool]:
    """The address's coordinates, if it has any, against its region (domain: check_place)."""
    answer = None
    if address.lat is not None and address.lon is not None:
        answer = classifiers(border_margin_m).classify(address.lat, address.lon)
    place = check_place(address, answer)
    errors: list[FieldError] = []
    for problem in place.problems:
        key = problem.code
        if problem.code == "region_does_not_match_coordinates":
            key = f"{problem.code}:{address.region}"
        errors.append(_field_error(problem.field, problem.code, key))
    return errors, place.near_border


def _register_problems(address: Address, entry: RegisterEntry | None) -> list[FieldError]:
    """An address chosen from the state register lies in the region the register gives it.

    An id the register does not know (a FIAS GUID, or a register not imported here) is kept as
    given: the register helps a person find the address, it does not stand in its way."""
    if entry is None or address.region not in REGIONS or entry.region == address.region:
        return []
    code = "region_does_not_match_address"
    return [_field_error("address.region", code, f"{code}:{address.region}")]


def _problems(
    uow: UnitOfWork,
    classifiers: RegionClassifiers,
    person: Holder,
    application: RegistrationApplication,
    today: date,
    grace_days: int,
    border_margin_m: float,
) -> tuple[list[FieldError], bool]:
    address = application.address
    errors, near_border = _place_problems(classifiers, address, border_margin_m)
    errors += _register_problems(address, application.register_entry)
    for host_problem in host_problems(application.host):
        errors.append(_field_error(host_problem.field, host_problem.code))
    for stay_problem in stay_problems(
        application.stay_from,
        application.stay_to,
        today=today,
        document_valid_to=person.card_valid_to,
        backdate_grace_days=grace_days,
    ):
        errors.append(
            _field_error(
                stay_problem.field,
                stay_problem.code,
                days=str(grace_days),
                valid_to=person.card_valid_to.isoformat(),
            )
        )
    if application.dependants:
        own = set(
            uow.session.scalars(
                select(DependantRow.id).where(
                    DependantRow.person_id == person.person_id,
                    DependantRow.id.in_(application.dependants),
                )
            )
        )
        for index, dependant_id in enumerate(application.dependants):
            if dependant_id not in own:
                errors.append(_field_error(f"dependants.{index}", "dependant_unknown"))
    return errors, near_border


def _next_serial(uow: UnitOfWork) -> int:
    if uow.dialect == "postgresql":
        return int(uow.session.scalar(text("SELECT nextval('registration_serial_seq')")))
    # SQLite: every transaction starts with BEGIN IMMEDIATE, so writers are serialised here.
    return (
        int(uow.session.scalar(select(func.coalesce(func.max(RegistrationRow.serial), 0))) or 0) + 1
    )


def registration_number(serial: int, issued_on: date) -> str:
    """AM-2025-000123: the year of issue and a running number."""
    return f"AM-{issued_on.year}-{serial:06d}"


@dataclass(frozen=True)
class _Step:
    """One registration to move, and the reason written on its event."""

    person_id: str
    registration_id: str
    reason: str | None


def _next_event_seqs(
    uow: UnitOfWork, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """The ``seq`` of the next event of each ``(person_id, registration_id)``: one more than the
    highest so far (1 for a registration without events). The one numbering of events."""
    wanted = set(keys)
    people = list(dict.fromkeys(person_id for person_id, _ in keys))
    found: dict[tuple[str, str], int] = {}
    for start in range(0, len(people), _IN_LIST):
        # by person (the index's first column), then the registrations asked for
        for person_id, registration_id, seq in uow.session.execute(
            select(
                RegistrationEventRow.person_id,
                RegistrationEventRow.registration_id,
                func.max(RegistrationEventRow.seq),
            )
            .where(RegistrationEventRow.person_id.in_(people[start : start + _IN_LIST]))
            .group_by(RegistrationEventRow.person_id, RegistrationEventRow.registration_id)
        ):
            if (person_id, registration_id) in wanted:
                found[(person_id, registration_id)] = int(seq or 0)
    return {key: found.get(key, 0) + 1 for key in wanted}


def _record_events(
    uow: UnitOfWork,
    steps: Sequence[_Step],
    kind: RegistrationEventKind,
    from_status: RegistrationStatus | None,
    to_status: RegistrationStatus,
    actor: EventActor,
    at: datetime,
) -> None:
    """The events of ``steps`` (one each), numbered after each registration's last event."""
    seqs = _next_event_seqs(uow, [(s.person_id, s.registration_id) for s in steps])
    insert_rows(
        uow,
        _EVENTS,
        [
            {
                "person_id": step.person_id,
                "id": str(uuid.uuid4()),
                "registration_id": step.registration_id,
                "kind": kind.value,
                "from_status": None if from_status is None else from_status.value,
                "to_status": to_status.value,
                "actor_kind": actor.kind,
                "actor_id": actor.id,
                "actor_role": actor.role,
                "reason": step.reason,
                "at": at,
                "seq": seqs[(step.person_id, step.registration_id)],
            }
            for step in steps
        ],
    )


def _move_all(
    uow: UnitOfWork,
    steps: Sequence[_Step],
    current: RegistrationStatus,
    target: RegistrationStatus,
    actor: EventActor,
    at: datetime,
) -> set[tuple[str, str]]:
    """The one writer of status changes: each registration of ``steps`` still in ``current``
    moves to ``target`` and gets its event, set-based. Returns the ``(person_id,
    registration_id)`` that moved; the others (changed meanwhile) are left as they are.

    The caller has checked that the move is allowed (:func:`_checked_transition`)."""
    kind = TRANSITIONS[(current, target)]
    by_key = {(s.person_id, s.registration_id): s for s in steps}
    keys = list(by_key)
    # Conditional on the status we read: a concurrent change makes this touch no row.
    moved = move_statuses(uow, keys, current.value, target.value, at)
    _record_events(uow, [by_key[k] for k in keys if k in moved], kind, current, target, actor, at)
    return moved


def _checked_transition(
    current: RegistrationStatus, target: RegistrationStatus, reason: str | None
) -> RegistrationEventKind:
    """:func:`~amina.domain.registration.transition`, its refusals as errors for the caller."""
    try:
        return transition(current, target, reason)
    except IllegalTransition as error:
        raise AminaError(
            "illegal_transition",
            ErrorKind.conflict,
            N_("This change is not possible"),
            N_("A registration in this state cannot be changed this way."),
        ) from error
    except ValueError as error:
        raise AminaError(
            "reason_required",
            ErrorKind.invalid,
            N_("State the reason"),
            N_("This change needs a written reason."),
            errors=[
                FieldError("reason", "reason_required", N_("Write the reason for this change."))
            ],
        ) from error


def _move(
    uow: UnitOfWork,
    clock: Clock,
    row: RegistrationRow,
    target: RegistrationStatus,
    actor: EventActor,
    reason: str | None,
) -> None:
    """Move ``row`` to ``target`` with its event; refuses illegal moves and lost races."""
    current = S(row.status)
    _checked_transition(current, target, reason)
    step = _Step(row.person_id, row.id, reason)
    try:
        moved = _move_all(uow, [step], current, target, actor, clock.now())
    except IntegrityError as error:  # restoring while another registration holds the place
        raise registration_conflict() from error
    if (row.person_id, row.id) not in moved:
        raise registration_conflict()
    uow.session.refresh(row)


def submit_registration(
    uow: UnitOfWork,
    clock: Clock,
    classifiers: RegionClassifiers,
    person_id: str,
    application: RegistrationApplication,
    random_bytes: RandomBytes = secrets.token_bytes,
) -> Registration:
    """Register the person's place of stay; the signed-in person calls it for themself.

    Validates everything at once (``invalid`` with every field's problem), closes the
    registration that held the place until now ("address changed") and records both events,
    all in the caller's transaction. The coordinates are optional (issue 13); an address
    chosen from the state register is checked against the register's region (the
    application's ``register_entry``, see :func:`looked_up`).
    """
    person = holder(uow, person_id)
    if person is None:
        raise person_not_found()
    now = clock.now()
    today = moscow_date(now)
    policy = policy_book(uow).in_force_on(today)
    dependants = tuple(dict.fromkeys(application.dependants))
    application = replace(application, dependants=dependants)
    errors, near_border = _problems(
        uow,
        classifiers,
        person,
        application,
        today,
        int(policy.parameter("registration_backdate_grace_days")),
        float(policy.parameter("border_margin_m")),
    )
    if errors:
        raise registration_invalid(errors)

    actor = EventActor.person(person_id)
    previous = _holding_row(uow, person_id)
    if previous is not None:
        _move(uow, clock, previous, S.closed, actor, ADDRESS_CHANGED)

    address, host = application.address, application.host
    serial = _next_serial(uow)
    row = RegistrationRow(
        person_id=person_id,
        id=str(uuid.uuid4()),
        number=registration_number(serial, today),
        serial=serial,
        slip_code=slip_code_from(random_bytes(RANDOM_BYTES)),
        status=S.active.value,
        region=address.region,
        settlement=address.settlement.strip(),
        street=address.street.strip(),
        house=address.house.strip(),
        building=_blank_to_none(address.building),
        flat=_blank_to_none(address.flat),
        fias_id=_blank_to_none(address.fias_id),
        lat=address.lat,
        lon=address.lon,
        located_at=now if address.located else None,
        location_source=LocationSource.at_registration.value if address.located else None,
        near_border=near_border,
        host_kind=host.kind.value,
        host_name=host.name.strip(),
        host_document=_blank_to_none(host.document),
        host_inn=_blank_to_none(host.inn),
        stay_from=application.stay_from,
        stay_to=application.stay_to,
        purpose=application.purpose,
        policy_version=policy.version,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(row)
    # the slip code, unique across everyone (its primary key; docs/scale-out.md)
    uow.session.add(
        RegistrationCodeRow(slip_code=row.slip_code, person_id=person_id, registration_id=row.id)
    )
    try:
        # Now, not at commit: a registration submitted at the same moment fails here, on the
        # partial unique index, and is answered with a conflict.
        uow.session.flush()
    except IntegrityError as error:
        raise registration_conflict() from error
    _record_events(uow, [_Step(person_id, row.id, None)], E.registered, None, S.active, actor, now)
    for dependant_id in dependants:
        uow.session.add(
            RegistrationDependantRow(
                person_id=person_id, registration_id=row.id, dependant_id=dependant_id
            )
        )
    uow.session.flush()
    return _views(uow, [row])[0]


def _blank_to_none(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    return value.strip()


# --- the building's coordinates, added later with the person's consent (issue 13) -------------


def registration_not_current() -> AminaError:
    return AminaError(
        "registration_not_current",
        ErrorKind.conflict,
        N_("This registration is no longer valid"),
        N_("Coordinates can be added only to the registration that is valid now."),
    )


def locate_registration(
    uow: UnitOfWork,
    clock: Clock,
    classifiers: RegionClassifiers,
    person_id: str,
    registration_id: str,
    lat: float,
    lon: float,
    source: LocationSource,
) -> Registration:
    """The signed-in person adds the building's coordinates to their registration that holds
    the place, having agreed to it in the app ("I am at this address now", or their phone's
    usual place at night). The coordinates must lie in the address's region, as at
    registration; the status and the day the registration became active do not change. An
    event records it. In the caller's transaction."""
    row = uow.session.get(RegistrationRow, (person_id, registration_id))
    if row is None:
        raise registration_not_found()
    status = S(row.status)
    if not holds_the_place(status):
        raise registration_not_current()
    now = clock.now()
    policy = policy_book(uow).in_force_on(moscow_date(now))
    address = Address(
        row.region,
        row.settlement,
        row.street,
        row.house,
        row.building,
        row.flat,
        row.fias_id,
        lat,
        lon,
    )
    errors, near_border = _place_problems(
        classifiers, address, float(policy.parameter("border_margin_m"))
    )
    if errors:
        raise registration_invalid(errors)
    row.lat, row.lon, row.near_border = lat, lon, near_border
    row.located_at, row.location_source = now, source.value
    uow.session.flush()
    _record_events(
        uow,
        [_Step(person_id, registration_id, source.value)],
        E.located,
        status,
        status,
        EventActor.person(person_id),
        now,
    )
    uow.session.flush()
    return _views(uow, [row])[0]


# --- moving along the lifecycle (notices, decisions, objections) ------------------------------


def change_status(
    uow: UnitOfWork,
    clock: Clock,
    person_id: str,
    registration_id: str,
    target: RegistrationStatus,
    actor: EventActor,
    reason: str | None = None,
) -> Registration:
    """Move one registration to ``target`` with an event. Illegal moves are refused
    (``illegal_transition``); deregistering, restoring and closing need a reason."""
    row = uow.session.get(RegistrationRow, (person_id, registration_id))
    if row is None:
        raise registration_not_found()
    _move(uow, clock, row, target, actor, reason)
    return _views(uow, [row])[0]


def request_confirmation(
    uow: UnitOfWork,
    clock: Clock,
    person_id: str,
    registration_id: str,
    actor: EventActor,
    reason: str | None = None,
) -> Registration:
    """A notice asks the person to confirm the address: one registration (for many at once,
    :func:`request_confirmations`; both go through the same writer)."""
    return change_status(
        uow, clock, person_id, registration_id, S.confirmation_requested, actor, reason
    )


@dataclass(frozen=True)
class ConfirmationRequest:
    """A registration whose address a notice asks the person to confirm, and why."""

    person_id: str
    registration_id: str
    reason: str


def request_confirmations(
    uow: UnitOfWork, clock: Clock, requests: Sequence[ConfirmationRequest], actor: EventActor
) -> set[tuple[str, str]]:
    """Many notices at once (the compliance sweep): each registration still ``active`` moves
    to ``confirmation_requested`` with its event, exactly as :func:`request_confirmation` does
    for one. Returns the ``(person_id, registration_id)`` that moved."""
    if not requests:
        return set()
    steps = [_Step(r.person_id, r.registration_id, r.reason) for r in requests]
    return _move_all(uow, steps, S.active, S.confirmation_requested, actor, clock.now())


def confirm(
    uow: UnitOfWork,
    clock: Clock,
    person_id: str,
    registration_id: str,
    actor: EventActor,
    reason: str | None = None,
) -> Registration:
    """The address is confirmed (the person answered the notice, or late reports covered it)."""
    return change_status(uow, clock, person_id, registration_id, S.active, actor, reason)


def deregister(
    uow: UnitOfWork,
    clock: Clock,
    person_id: str,
    registration_id: str,
    actor: EventActor,
    reason: str,
) -> Registration:
    """An inspector's decision deregisters the person (with the decision's written reason)."""
    return change_status(uow, clock, person_id, registration_id, S.deregistered, actor, reason)


def restore(
    uow: UnitOfWork,
    clock: Clock,
    person_id: str,
    registration_id: str,
    actor: EventActor,
    reason: str,
) -> Registration:
    """A supervisor upheld an objection: the deregistered registration is active again."""
    return change_status(uow, clock, person_id, registration_id, S.active, actor, reason)


def close(
    uow: UnitOfWork,
    clock: Clock,
    person_id: str,
    registration_id: str,
    actor: EventActor,
    reason: str,
) -> Registration:
    """Close a registration (the stay ended, or the person left)."""
    return change_status(uow, clock, person_id, registration_id, S.closed, actor, reason)


# --- staff -----------------------------------------------------------------------------------


def registrations_for_staff(
    uow: UnitOfWork, clock: Clock, actor: Actor, person_id: str, purpose: str | Purpose
) -> list[Registration]:
    """A person's registrations with their history, for staff with ``registration.view``.

    The access is recorded with its purpose in the audit log (and so in the person's access
    log) in the same transaction as the read: the caller's.
    """
    require(actor, Permission.registration_view)
    if holder(uow, person_id) is None:
        raise person_not_found()
    registrations = registrations_of(uow, person_id)
    record_access(
        uow,
        clock,
        actor,
        action="registration.view",
        purpose=purpose,
        person_id=person_id,
        details={"registrations": [r.number for r in registrations]},
    )
    return registrations


# --- use cases: each in one transaction of its own, committed here ------------------------------


def show_registrations_to_staff(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    person_id: str,
    purpose: str | Purpose,
) -> list[Registration]:
    """A person's registrations for staff (:func:`registrations_for_staff`), the access
    committed to the audit log with the read."""
    with uow_factory() as uow:
        found = registrations_for_staff(uow, clock, actor, person_id, purpose)
        uow.commit()
    return found
