"""Staff accounts, sign-in with a second factor, console sessions (SPEC §2, §10).

- Passwords are stored as argon2id hashes; the second factor is TOTP (RFC 6238, 30-second
  steps, one step of clock drift either way). A code is accepted once: the step it belongs to
  is remembered and that step or an earlier one is refused afterwards.
- Every failed sign-in gives the same answer, whether the username exists, the password or
  the code was wrong, or the account is disabled: nobody can learn which usernames exist.
- No account is ever locked. Failures slow further attempts down — by source address and by
  account, with growing delays (``amina.domain.staff_throttle``) — and those cheap counts are
  checked before the password's argon2 hash is computed. A throttled attempt is answered
  "wait N seconds" without looking at the password.
- At sign-in the staff member learns how many failed attempts there were on their account
  since they last signed in (the console shows a banner for the session).
- A session is a random token kept by the browser in a cookie; the database keeps only its
  SHA-256, so a copy of the table cannot be used to sign in. Each session has its own CSRF
  token for forms and unsafe API calls.
- Staff management is done by the installation's administrator (the ``amina staff`` CLI, the
  system actor) or by a staff member with ``staff.manage`` — who manages operator and
  inspector accounts only (:data:`amina.domain.roles.CONSOLE_MANAGED_ROLES`). Every change is
  recorded in the audit log (``person_id`` None), and each account remembers who created it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, delete, func, select, update

from amina.adapters.db.staff.tables import StaffRow, StaffSessionRow, StaffSignInFailureRow
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.domain import purposes
from amina.domain.roles import Permission, Role, may_manage_account, permissions_of
from amina.domain.staff_throttle import ThrottleRules, wait_before_next
from amina.i18n import N_
from amina.services.audit.trail import SYSTEM, Actor, record_access
from amina.services.clock import Clock
from amina.services.errors import AminaError, ErrorKind, FieldError
from amina.services.staff.permissions import require

TOTP_ISSUER = "Amina"
TOTP_STEP_SECONDS = 30
#: Codes from one step before or after the current one are accepted (phone clocks drift).
TOTP_VALID_WINDOW = 1
MIN_PASSWORD_LENGTH = 12
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


@dataclass(frozen=True)
class StaffAccessRules:
    """Throttling and session length (settings ``staff_throttle_*``, ``staff_session_hours``)."""

    throttle: ThrottleRules = field(default_factory=ThrottleRules)
    session_hours: int = 8


@dataclass(frozen=True)
class StaffAccount:
    staff_id: str
    number: int
    username: str
    display_name: str
    role: Role
    active: bool
    locked_until: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class SecondFactorEnrolment:
    """Shown once, when an account is created or its second factor is reset."""

    secret: str
    otpauth_uri: str


@dataclass(frozen=True)
class NewStaffAccount:
    account: StaffAccount
    password: str | None
    """The generated password, or None when the caller chose it."""
    second_factor: SecondFactorEnrolment


@dataclass(frozen=True)
class SignedInStaff:
    """A staff member behind a valid console session."""

    staff_id: str
    username: str
    display_name: str
    role: Role
    csrf_token: str
    expires_at: datetime
    failures_before: int = 0
    """Failed sign-in attempts on this account between the previous sign-in and this one."""

    @property
    def actor(self) -> Actor:
        """Who to name in the audit log: ``record_access(uow, clock, staff.actor, ...)``."""
        return Actor(staff_id=self.staff_id, role=self.role.value)

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_of(self.role)

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions


@dataclass(frozen=True)
class NewSession:
    token: str
    """Goes into the session cookie; never stored."""
    staff: SignedInStaff


class SignInFailure(StrEnum):
    """Why a sign-in failed: for logs and tests, never shown (every failure looks the same)."""

    unknown_username = "unknown_username"
    wrong_password = "wrong_password"  # noqa: S105 - a reason, not a password
    wrong_code = "wrong_code"
    replayed_code = "replayed_code"
    throttled = "throttled"
    disabled = "disabled"


@dataclass(frozen=True)
class SignInAttempt:
    """The outcome of :func:`sign_in`. Committed either way (failures count)."""

    session: NewSession | None
    failure: SignInFailure | None
    rules: StaffAccessRules
    retry_after: timedelta = timedelta(0)
    """For a throttled attempt: how long to wait before the next one is looked at."""

    def session_or_raise(self) -> NewSession:
        if self.session is None:
            raise self.error()
        return self.session

    def error(self) -> AminaError:
        if self.failure is SignInFailure.throttled:
            return sign_in_throttled(self.retry_after)
        return sign_in_failed()


def sign_in_failed() -> AminaError:
    return AminaError(
        "sign_in_failed",
        ErrorKind.unauthorized,
        N_("Sign-in failed"),
        N_(
            "Check your username, password and code and try again. After several failed "
            "attempts each further attempt has to wait a little longer."
        ),
    )


def sign_in_throttled(retry_after: timedelta) -> AminaError:
    seconds = max(1, int(retry_after.total_seconds() + 0.999))
    return AminaError(
        "sign_in_throttled",
        ErrorKind.rate_limited,
        N_("Too many failed attempts"),
        N_("Wait %(seconds)s seconds, then try again."),
        params={"seconds": seconds},
    )


def _staff_not_found() -> AminaError:
    return AminaError(
        "staff_not_found",
        ErrorKind.not_found,
        N_("No such staff account"),
        N_("There is no staff account with this username."),
    )


# --- passwords and codes -------------------------------------------------------------------


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id with the library's recommended parameters


@cache
def _unknown_user_hash() -> str:
    # Verified against when the username is unknown, so that the answer takes as long as for
    # a real account.
    return _hasher().hash(secrets.token_urlsafe(16))


def _password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _enrolment(username: str, secret: str) -> SecondFactorEnrolment:
    uri = pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=TOTP_ISSUER)
    return SecondFactorEnrolment(secret=secret, otpauth_uri=uri)


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The TOTP step (within the drift window) whose code is ``code``, or None."""
    code = code.strip().replace(" ", "")
    if not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, interval=TOTP_STEP_SECONDS)
    current = totp.timecode(now)
    found = None
    for step in range(current - TOTP_VALID_WINDOW, current + TOTP_VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found


# --- accounts ------------------------------------------------------------------------------


def _account(row: StaffRow) -> StaffAccount:
    return StaffAccount(
        staff_id=row.id,
        number=row.number,
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        active=row.active,
        locked_until=row.locked_until,
        created_at=row.created_at,
    )


def _row_by_username(uow: UnitOfWork, username: str, *, for_update: bool = False) -> StaffRow:
    query = select(StaffRow).where(StaffRow.username == normalise_username(username))
    if for_update:
        query = query.with_for_update()
    row = uow.session.scalars(query).first()
    if row is None:
        raise _staff_not_found()
    return row


def normalise_username(username: str) -> str:
    return username.strip().lower()


def _check_manager(actor: Actor, account_role: str | None = None) -> None:
    """The administrator manages every account; ``staff.manage`` only operator and inspector
    accounts."""
    if actor == SYSTEM:
        return
    require(actor, Permission.staff_manage)
    if account_role is not None and not may_manage_account(actor.role, account_role):
        raise AminaError(
            "staff_role_reserved",
            ErrorKind.forbidden,
            N_("Only the administrator can do this"),
            N_(
                "Supervisor and auditor accounts are created and changed only by the "
                "installation's administrator, with the amina staff command on the server."
            ),
        )


def _end_sessions(uow: UnitOfWork, staff_id: str, now: datetime) -> None:
    uow.session.execute(
        update(StaffSessionRow)
        .where(StaffSessionRow.staff_id == staff_id, StaffSessionRow.ended_at.is_(None))
        .values(ended_at=now)
    )


def _next_staff_number(uow: UnitOfWork) -> int:
    # numbers are never reused: a disabled account keeps its number (accounts are never
    # deleted); two accounts created at once collide on the unique number and one is refused
    return int(uow.session.scalar(select(func.coalesce(func.max(StaffRow.number), 0))) or 0) + 1


def create_staff(
    uow: UnitOfWork,
    clock: Clock,
    *,
    username: str,
    role: Role,
    display_name: str,
    password: str | None = None,
    totp_secret: str | None = None,
    by: Actor = SYSTEM,
) -> NewStaffAccount:
    """Create a staff account. Called by the CLI (system) or a supervisor (``staff.manage``);
    in the caller's transaction (:func:`create_staff_account` is the use case).

    Generates the password unless one is given, and always returns the TOTP secret and its
    ``otpauth://`` URI: they are shown once and cannot be read back later. ``totp_secret`` is
    for demo accounts only. A supervisor creates operator and inspector accounts only.
    """
    _check_manager(by, role.value)
    username = normalise_username(username)
    display_name = display_name.strip()
    errors: list[FieldError] = []
    if not USERNAME_PATTERN.match(username):
        errors.append(
            FieldError(
                "username",
                "username_invalid",
                N_(
                    "Use 3 to 64 characters: Latin letters, digits, dots, hyphens and "
                    "underscores, starting with a letter or a digit."
                ),
            )
        )
    if not display_name or len(display_name) > 200:
        errors.append(
            FieldError("display_name", "display_name_invalid", N_("Enter the person's name."))
        )
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        errors.append(
            FieldError(
                "password",
                "password_too_short",
                N_("The password needs at least %(length)s characters."),
                params={"length": MIN_PASSWORD_LENGTH},
            )
        )
    if errors:
        raise AminaError(
            "staff_invalid",
            ErrorKind.invalid,
            N_("Some fields are not valid"),
            N_("Correct the fields listed and send the request again."),
            errors=errors,
        )
    taken = uow.session.scalar(select(StaffRow.id).where(StaffRow.username == username))
    if taken is not None:
        raise AminaError(
            "staff_username_taken",
            ErrorKind.conflict,
            N_("Username taken"),
            N_("Another staff account already has this username."),
        )
    generated = secrets.token_urlsafe(15) if password is None else None
    secret = totp_secret or pyotp.random_base32()
    row = StaffRow(
        id=str(uuid.uuid4()),
        number=_next_staff_number(uow),
        username=username,
        display_name=display_name,
        role=role.value,
        password_hash=_hasher().hash(password if password is not None else str(generated)),
        totp_secret=secret,
        active=True,
        failed_attempts=0,
        locked_until=None,
        last_totp_step=None,
        created_at=clock.now(),
        created_by=by.staff_id,
    )
    uow.session.add(row)
    uow.session.flush()
    record_access(
        uow,
        clock,
        by,
        action="staff.create",
        purpose=purposes.STAFF_CREATED,
        details={"staff_id": row.id, "username": row.username, "role": role.value},
    )
    return NewStaffAccount(_account(row), generated, _enrolment(username, secret))


def list_staff(uow: UnitOfWork, *, by: Actor = SYSTEM) -> list[StaffAccount]:
    """Every staff account, by username. For the system and ``staff.manage``."""
    _check_manager(by)
    rows = uow.session.scalars(select(StaffRow).order_by(StaffRow.username)).all()
    return [_account(row) for row in rows]


def disable_staff(uow: UnitOfWork, clock: Clock, username: str, *, by: Actor = SYSTEM) -> None:
    """Disable an account and end its sessions. For the system and ``staff.manage``; in the
    caller's transaction.

    A staff member cannot disable their own account (someone must be left to manage staff).
    """
    _check_manager(by)
    row = _row_by_username(uow, username, for_update=True)
    _check_manager(by, row.role)
    if row.id == by.staff_id:
        raise AminaError(
            "cannot_disable_self",
            ErrorKind.conflict,
            N_("You cannot disable your own account"),
            N_("Ask another supervisor to do it."),
        )
    now = clock.now()
    row.active = False
    _end_sessions(uow, row.id, now)
    record_access(
        uow,
        clock,
        by,
        action="staff.disable",
        purpose=purposes.STAFF_DISABLED,
        details={"staff_id": row.id, "username": row.username, "role": row.role},
    )


def reset_second_factor(
    uow: UnitOfWork, clock: Clock, username: str, *, by: Actor = SYSTEM
) -> SecondFactorEnrolment:
    """Give an account a new TOTP secret (lost phone) and end its sessions. For the system
    and ``staff.manage``; the new secret is shown once. In the caller's transaction."""
    _check_manager(by)
    row = _row_by_username(uow, username, for_update=True)
    _check_manager(by, row.role)
    row.totp_secret = pyotp.random_base32()
    row.last_totp_step = None
    row.failed_attempts = 0
    row.locked_until = None
    _end_sessions(uow, row.id, clock.now())
    record_access(
        uow,
        clock,
        by,
        action="staff.reset_mfa",
        purpose=purposes.STAFF_SECOND_FACTOR_RESET,
        details={"staff_id": row.id, "username": row.username, "role": row.role},
    )
    return _enrolment(row.username, row.totp_secret)


# --- signing in and out --------------------------------------------------------------------


def _refuse(
    uow: UnitOfWork,
    username: str,
    source: str,
    failure: SignInFailure,
    now: datetime,
    rules: StaffAccessRules,
) -> SignInAttempt:
    uow.session.add(StaffSignInFailureRow(username=username[:64], source=source[:64], at=now))
    return SignInAttempt(None, failure, rules)


def _failures(
    uow: UnitOfWork, since: datetime, *where: ColumnElement[bool]
) -> tuple[int, datetime | None]:
    count, last = uow.session.execute(
        select(func.count(), func.max(StaffSignInFailureRow.at)).where(
            StaffSignInFailureRow.at >= since, *where
        )
    ).one()
    return int(count or 0), last


def _wait(
    uow: UnitOfWork,
    username: str,
    source: str,
    account_since: datetime,
    now: datetime,
    throttle: ThrottleRules,
) -> timedelta:
    """The cheap check, before any hashing: how long this source and this account must wait."""
    since = now - throttle.window
    by_source = _failures(uow, since, StaffSignInFailureRow.source == source[:64])
    by_account = _failures(
        uow, max(since, account_since), StaffSignInFailureRow.username == username[:64]
    )
    return max(
        wait_before_next(*by_source, now, throttle.free_failures, throttle.source_max_delay),
        wait_before_next(
            *by_account, now, throttle.account_free_failures, throttle.account_max_delay
        ),
    )


def sign_in(
    uow: UnitOfWork,
    clock: Clock,
    rules: StaffAccessRules,
    *,
    username: str,
    password: str,
    code: str,
    source: str = "unknown",
) -> SignInAttempt:
    """Anyone may try. Checks the throttle (cheap) first, then password and TOTP code; records
    failures; opens a session. ``source`` is the client's address.

    In the caller's transaction, which commits whatever the outcome (failures count), then
    calls :meth:`SignInAttempt.session_or_raise`; :func:`sign_in_to_console` does both.
    """
    now = clock.now()
    name = normalise_username(username)
    row = uow.session.scalars(
        select(StaffRow).where(StaffRow.username == name).with_for_update()
    ).first()
    account_since = now - rules.throttle.window
    if row is not None and row.last_signed_in_at is not None:
        account_since = row.last_signed_in_at
    wait = _wait(uow, name, source, account_since, now, rules.throttle)
    if wait > timedelta(0):
        return SignInAttempt(None, SignInFailure.throttled, rules, retry_after=wait)
    if row is None:
        _password_matches(_unknown_user_hash(), password)
        return _refuse(uow, name, source, SignInFailure.unknown_username, now, rules)
    if not _password_matches(row.password_hash, password):
        return _refuse(uow, name, source, SignInFailure.wrong_password, now, rules)
    if not row.active:
        return _refuse(uow, name, source, SignInFailure.disabled, now, rules)
    step = _matching_step(row.totp_secret, code, now)
    if step is None:
        return _refuse(uow, name, source, SignInFailure.wrong_code, now, rules)
    if row.last_totp_step is not None and step <= row.last_totp_step:
        return _refuse(uow, name, source, SignInFailure.replayed_code, now, rules)
    failures_before, _ = _failures(
        uow, row.last_signed_in_at or row.created_at, StaffSignInFailureRow.username == name
    )
    row.last_totp_step = step
    row.last_signed_in_at = now
    if _hasher().check_needs_rehash(row.password_hash):
        row.password_hash = _hasher().hash(password)
    token = secrets.token_urlsafe(32)
    session = StaffSessionRow(
        token_hash=_token_hash(token),
        staff_id=row.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + timedelta(hours=rules.session_hours),
        ended_at=None,
        failures_before=failures_before,
    )
    uow.session.add(session)
    return SignInAttempt(NewSession(token, _signed_in(row, session)), None, rules)


def forget_sign_in_failures(uow: UnitOfWork, clock: Clock) -> int:
    """The system (the daily sign-in clean-up) deletes failures older than a day. In the
    caller's transaction."""
    gone = uow.session.execute(
        delete(StaffSignInFailureRow).where(
            StaffSignInFailureRow.at < clock.now() - timedelta(days=1)
        )
    )
    return int(getattr(gone, "rowcount", 0) or 0)


def _signed_in(row: StaffRow, session: StaffSessionRow) -> SignedInStaff:
    return SignedInStaff(
        staff_id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        csrf_token=session.csrf_token,
        expires_at=session.expires_at,
        failures_before=session.failures_before or 0,
    )


def staff_session(uow: UnitOfWork, clock: Clock, token: str) -> SignedInStaff | None:
    """The staff member behind a session cookie, or None if the session is unknown, ended,
    expired, or the account has been disabled since."""
    found = uow.session.execute(
        select(StaffSessionRow, StaffRow)
        .join(StaffRow, StaffRow.id == StaffSessionRow.staff_id)
        .where(StaffSessionRow.token_hash == _token_hash(token))
    ).first()
    if found is None:
        return None
    session, row = found
    if session.ended_at is not None or session.expires_at <= clock.now() or not row.active:
        return None
    return _signed_in(row, session)


def sign_out(uow: UnitOfWork, clock: Clock, token: str) -> None:
    """End the session behind ``token`` (the signed-in staff member themselves). In the
    caller's transaction."""
    uow.session.execute(
        update(StaffSessionRow)
        .where(StaffSessionRow.token_hash == _token_hash(token), StaffSessionRow.ended_at.is_(None))
        .values(ended_at=clock.now())
    )


# --- use cases: each in one transaction of its own, committed here ------------------------------
# The functions above are steps "in the caller's transaction" (tests and the demo build data
# with them); routes and commands call these.


def sign_in_to_console(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    rules: StaffAccessRules,
    *,
    username: str,
    password: str,
    code: str,
    source: str = "unknown",
) -> SignInAttempt:
    """Anyone may try (:func:`sign_in`); committed whatever the outcome, so that failures count."""
    with uow_factory() as uow:
        attempt = sign_in(
            uow, clock, rules, username=username, password=password, code=code, source=source
        )
        uow.commit()
    return attempt


def sign_out_of_console(uow_factory: UnitOfWorkFactory, clock: Clock, token: str) -> None:
    """The signed-in staff member ends their session (:func:`sign_out`)."""
    with uow_factory() as uow:
        sign_out(uow, clock, token)
        uow.commit()


def create_staff_account(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    *,
    username: str,
    role: Role,
    display_name: str,
    password: str | None = None,
    by: Actor = SYSTEM,
) -> NewStaffAccount:
    """The CLI (system) or a supervisor (``staff.manage``) creates an account
    (:func:`create_staff`)."""
    with uow_factory() as uow:
        created = create_staff(
            uow,
            clock,
            username=username,
            role=role,
            display_name=display_name,
            password=password,
            by=by,
        )
        uow.commit()
    return created


def disable_staff_account(
    uow_factory: UnitOfWorkFactory, clock: Clock, username: str, *, by: Actor = SYSTEM
) -> None:
    """The system or ``staff.manage`` disables an account (:func:`disable_staff`)."""
    with uow_factory() as uow:
        disable_staff(uow, clock, username, by=by)
        uow.commit()


def reset_staff_second_factor(
    uow_factory: UnitOfWorkFactory, clock: Clock, username: str, *, by: Actor = SYSTEM
) -> SecondFactorEnrolment:
    """The system or ``staff.manage`` gives an account a new TOTP secret
    (:func:`reset_second_factor`)."""
    with uow_factory() as uow:
        enrolment = reset_second_factor(uow, clock, username, by=by)
        uow.commit()
    return enrolment


def purge_staff_sign_in_failures(uow_factory: UnitOfWorkFactory, clock: Clock) -> int:
    """The system (the daily sign-in clean-up) deletes failures older than a day
    (:func:`forget_sign_in_failures`)."""
    with uow_factory() as uow:
        gone = forget_sign_in_failures(uow, clock)
        uow.commit()
    return gone
