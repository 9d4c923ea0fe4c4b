"""Staff accounts, sign-in with a second factor, console sessions (SPEC §2, §10).

- Passwords are stored as argon2id hashes; the second factor is TOTP (RFC 6238, 30-second
  steps, one step of clock drift either way). A code is accepted once: the step it belongs to
  is remembered and that step or an earlier one is refused afterwards.
- Every failed sign-in gives the same answer, whether the username exists, the password or
  the code was wrong, the account is disabled or locked: nobody can learn which usernames
  exist. ``lockout_attempts`` failures in a row lock the account for ``lockout_minutes``.
- A session is a random token kept by the browser in a cookie; the database keeps only its
  SHA-256, so a copy of the table cannot be used to sign in. Each session has its own CSRF
  token for forms and unsafe API calls.
- Staff management is done by the system (the ``amina staff`` CLI) or by a staff member with
  ``staff.manage``; both are recorded in the audit log (``person_id`` None).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update

from amina.adapters.db.staff.tables import StaffRow, StaffSessionRow
from amina.adapters.db.uow import UnitOfWork
from amina.domain.roles import Permission, Role, permissions_of
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
    """Lock-out and session length (from settings: ``staff_lockout_*``, ``staff_session_hours``)."""

    lockout_attempts: int = 5
    lockout_minutes: int = 15
    session_hours: int = 8


@dataclass(frozen=True)
class StaffAccount:
    staff_id: str
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
    locked = "locked"
    disabled = "disabled"


@dataclass(frozen=True)
class SignInAttempt:
    """The outcome of :func:`sign_in`. Commit the unit of work either way (failures count)."""

    session: NewSession | None
    failure: SignInFailure | None
    rules: StaffAccessRules

    def session_or_raise(self) -> NewSession:
        if self.session is None:
            raise sign_in_failed(self.rules)
        return self.session


def sign_in_failed(rules: StaffAccessRules) -> AminaError:
    return AminaError(
        "sign_in_failed",
        ErrorKind.unauthorized,
        N_("Sign-in failed"),
        N_(
            "Check your username, password and code and try again. After "
            "%(attempts)s failed attempts in a row the account is locked for "
            "%(minutes)s minutes."
        ),
        params={"attempts": rules.lockout_attempts, "minutes": rules.lockout_minutes},
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


def _check_manager(actor: Actor) -> None:
    if actor != SYSTEM:
        require(actor, Permission.staff_manage)


def _end_sessions(uow: UnitOfWork, staff_id: str, now: datetime) -> None:
    uow.session.execute(
        update(StaffSessionRow)
        .where(StaffSessionRow.staff_id == staff_id, StaffSessionRow.ended_at.is_(None))
        .values(ended_at=now)
    )


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
    """Create a staff account. Called by the CLI (system) or a supervisor (``staff.manage``).

    Generates the password unless one is given, and always returns the TOTP secret and its
    ``otpauth://`` URI: they are shown once and cannot be read back later. ``totp_secret`` is
    for demo accounts only.
    """
    _check_manager(by)
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
    )
    uow.session.add(row)
    uow.session.flush()
    record_access(
        uow,
        clock,
        by,
        action="staff.create",
        purpose="Staff account management: account created",
        details={"staff_id": row.id, "role": role.value},
    )
    return NewStaffAccount(_account(row), generated, _enrolment(username, secret))


def list_staff(uow: UnitOfWork, *, by: Actor = SYSTEM) -> list[StaffAccount]:
    """Every staff account, by username. For the system and ``staff.manage``."""
    _check_manager(by)
    rows = uow.session.scalars(select(StaffRow).order_by(StaffRow.username)).all()
    return [_account(row) for row in rows]


def disable_staff(uow: UnitOfWork, clock: Clock, username: str, *, by: Actor = SYSTEM) -> None:
    """Disable an account and end its sessions. For the system and ``staff.manage``.

    A staff member cannot disable their own account (someone must be left to manage staff).
    """
    _check_manager(by)
    row = _row_by_username(uow, username, for_update=True)
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
        purpose="Staff account management: account disabled",
        details={"staff_id": row.id, "role": row.role},
    )


def reset_second_factor(
    uow: UnitOfWork, clock: Clock, username: str, *, by: Actor = SYSTEM
) -> SecondFactorEnrolment:
    """Give an account a new TOTP secret (lost phone) and end its sessions. Also lifts a
    lock-out. For the system and ``staff.manage``; the new secret is shown once."""
    _check_manager(by)
    row = _row_by_username(uow, username, for_update=True)
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
        purpose="Staff account management: second factor reset",
        details={"staff_id": row.id, "role": row.role},
    )
    return _enrolment(row.username, row.totp_secret)


# --- signing in and out --------------------------------------------------------------------


def _refuse(
    row: StaffRow | None, failure: SignInFailure, now: datetime, rules: StaffAccessRules
) -> SignInAttempt:
    if row is not None and failure is not SignInFailure.locked:
        row.failed_attempts += 1
        if row.failed_attempts >= rules.lockout_attempts:
            row.locked_until = now + timedelta(minutes=rules.lockout_minutes)
            row.failed_attempts = 0
    return SignInAttempt(None, failure, rules)


def sign_in(
    uow: UnitOfWork,
    clock: Clock,
    rules: StaffAccessRules,
    *,
    username: str,
    password: str,
    code: str,
) -> SignInAttempt:
    """Anyone may try. Checks password and TOTP code, counts failures, opens a session.

    The caller commits the unit of work whatever the outcome, then calls
    :meth:`SignInAttempt.session_or_raise`.
    """
    now = clock.now()
    row = uow.session.scalars(
        select(StaffRow).where(StaffRow.username == normalise_username(username)).with_for_update()
    ).first()
    if row is None:
        _password_matches(_unknown_user_hash(), password)
        return _refuse(None, SignInFailure.unknown_username, now, rules)
    if row.locked_until is not None and row.locked_until > now:
        _password_matches(_unknown_user_hash(), password)
        return _refuse(row, SignInFailure.locked, now, rules)
    if not _password_matches(row.password_hash, password):
        return _refuse(row, SignInFailure.wrong_password, now, rules)
    if not row.active:
        return _refuse(row, SignInFailure.disabled, now, rules)
    step = _matching_step(row.totp_secret, code, now)
    if step is None:
        return _refuse(row, SignInFailure.wrong_code, now, rules)
    if row.last_totp_step is not None and step <= row.last_totp_step:
        return _refuse(row, SignInFailure.replayed_code, now, rules)
    row.last_totp_step = step
    row.failed_attempts = 0
    row.locked_until = None
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
    )
    uow.session.add(session)
    return SignInAttempt(NewSession(token, _signed_in(row, session)), None, rules)


def _signed_in(row: StaffRow, session: StaffSessionRow) -> SignedInStaff:
    return SignedInStaff(
        staff_id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        csrf_token=session.csrf_token,
        expires_at=session.expires_at,
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
    """End the session behind ``token`` (the signed-in staff member themselves)."""
    uow.session.execute(
        update(StaffSessionRow)
        .where(StaffSessionRow.token_hash == _token_hash(token), StaffSessionRow.ended_at.is_(None))
        .values(ended_at=clock.now())
    )
