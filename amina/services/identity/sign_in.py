"""Sign-in with a one-time code sent to the phone on file (SPEC §4, API.md "Sign-in").

Protections (docs/sign-in.md):

- **No enumeration.** A code request does the same work whatever the card: the same queries,
  one code generated and hashed, one challenge row written. For an unknown, expired, revoked
  or mismatched card the challenge is marked undeliverable: nothing is sent and it never
  verifies. The answer is the same ``202`` in shape and in work.
- **Codes** are 6 digits, stored as HMAC-SHA256 (server secret, challenge id), valid a few
  minutes, single use, a few tries per code; resends back off (30 s, 60 s, 120 s…).
- **Lock-outs** per card (or passport) and per client address count failed codes; a lock is
  short and doubles only up to a ceiling, so nobody can lock a person out for long.
- **Devices.** A successful sign-in binds the device: it gets a long-lived credential (SHA-256
  stored) and the person's previous device is retired.

Every number comes from policy (``amina.domain.sign_in.SignInRules``).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from amina.adapters.db.delivery.tables import OutboxRow
from amina.adapters.db.identity.store import ensure_sign_in_throttle
from amina.adapters.db.identity.tables import (
    AccessTokenRow,
    CardRow,
    DeviceRow,
    OtpChallengeRow,
    PersonRow,
    SignInThrottleRow,
)
from amina.adapters.db.results import rowcount
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.domain.calendar import moscow_date
from amina.domain.cards import (
    Card,
    CardStatus,
    SignInMethod,
    card_for_passport,
    normalise_card_number,
    normalise_passport_number,
    phone_ending,
)
from amina.domain.sign_in import CODE_DIGITS, LockRule, SignInRules, Throttle
from amina.i18n import LANGUAGES, N_, NP_, Translator
from amina.services.clock import Clock
from amina.services.delivery.outbox import WakeOutbox, hand_over_sms
from amina.services.errors import AminaError, ErrorKind
from amina.services.identity.cards import card_from_row, mark_card_lost
from amina.services.identity.enrolment import person_for_card
from amina.services.policy.versions import policy_book

SMS_TEXT = N_("Amina code: %(code)s. Do not tell it to anyone.")


# --- what callers pass and get -------------------------------------------------------------


@dataclass(frozen=True)
class CardClaim:
    """ "I hold this card and was born on this day"."""

    card_number: str
    date_of_birth: date


@dataclass(frozen=True)
class PassportClaim:
    """ "My card is lost; here is my passport and my date of birth"."""

    citizenship: str
    passport_number: str
    date_of_birth: date


Claim = CardClaim | PassportClaim


@dataclass(frozen=True)
class SignInContext:
    """What every sign-in use case needs, built by the caller from the container."""

    uow: UnitOfWorkFactory
    clock: Clock
    wake_outbox: WakeOutbox
    """Called after the commit that handed a code to the outbox (wakes the worker)."""
    secret: str


@dataclass(frozen=True)
class ChallengeIssued:
    challenge_id: str
    expires_at: datetime
    resend_after: int  # seconds until a resend is accepted
    phone_ending: str
    """The last two digits of the phone the code went to; for a challenge that sends nothing,
    two digits derived from what was typed, so that both look the same (docs/sign-in.md)."""
    tries: int  # wrong codes accepted for each code


@dataclass(frozen=True)
class DeviceInfo:
    name: str
    platform: str


@dataclass(frozen=True)
class SignedIn:
    access_token: str
    expires_at: datetime
    device_credential: str
    device_id: str
    person_id: str
    language: str
    language_chosen: bool


@dataclass(frozen=True)
class AccessGranted:
    access_token: str
    expires_at: datetime


# --- errors ----------------------------------------------------------------------------------


def otp_invalid(tries_left: int | None = None) -> AminaError:
    """A wrong code; ``tries_left`` (a problem member) when the challenge takes more."""
    return AminaError(
        "otp_invalid",
        ErrorKind.unauthorized,
        N_("Wrong code"),
        N_(
            "This code is wrong or no longer valid. Check the SMS and try again, or ask for a "
            "new code."
        ),
        extensions={} if tries_left is None else {"tries_left": tries_left},
    )


def otp_expired() -> AminaError:
    return AminaError(
        "otp_expired",
        ErrorKind.unauthorized,
        N_("The code has expired"),
        N_("Codes are valid for a few minutes. Ask for a new code."),
    )


def locked_out(wait: timedelta, now: datetime) -> AminaError:
    """Signing in is paused for ``wait``: ``Retry-After`` and the problem member
    ``locked_until`` (RFC 3339) say until when; no new code is sent meanwhile."""
    seconds = max(1, math.ceil(wait.total_seconds()))
    until = now + timedelta(seconds=seconds)
    return AminaError(
        "locked_out",
        ErrorKind.rate_limited,
        N_("Too many attempts"),
        NP_(
            "For your safety, signing in is paused. Try again in %(minutes)s minute.",
            "For your safety, signing in is paused. Try again in %(minutes)s minutes.",
            count="minutes",
        ),
        params={"minutes": math.ceil(seconds / 60)},
        retry_after=seconds,
        extensions={"locked_until": until.isoformat().replace("+00:00", "Z")},
    )


def challenge_closed() -> AminaError:
    return AminaError(
        "challenge_closed",
        ErrorKind.conflict,
        N_("Start signing in again"),
        N_("This sign-in attempt has ended. Enter your details again to get a new code."),
    )


def resend_too_soon(wait: timedelta) -> AminaError:
    seconds = max(1, math.ceil(wait.total_seconds()))
    return AminaError(
        "resend_too_soon",
        ErrorKind.rate_limited,
        N_("Please wait before asking again"),
        N_("A new code can be sent in %(seconds)s s."),
        params={"seconds": seconds},
        retry_after=seconds,
    )


# --- keyed hashes ----------------------------------------------------------------------------


class SignInKeys:
    """HMAC-SHA256 under keys derived from the server secret.

    Codes are hashed with the challenge id, so equal codes of two challenges differ. A fast
    hash is enough: a 6-digit code is protected by its few tries and short life, not by the
    cost of hashing. Card numbers and client addresses become throttle keys the same way, so
    the lock-out table holds no card number and no address.
    """

    def __init__(self, secret: str) -> None:
        root = secret.encode()
        self._codes = hmac.new(root, b"amina/sign-in/code", hashlib.sha256).digest()
        self._keys = hmac.new(root, b"amina/sign-in/throttle", hashlib.sha256).digest()

    def code_hash(self, challenge_id: str, code: str) -> str:
        message = f"{challenge_id}:{code}".encode()
        return hmac.new(self._codes, message, hashlib.sha256).hexdigest()

    def _key(self, kind: str, value: str) -> str:
        digest = hmac.new(self._keys, f"{kind}|{value}".encode(), hashlib.sha256).hexdigest()
        return f"{kind}:{digest}"

    def subject(self, claim: Claim) -> str:
        """The throttle key of what was typed (existing or not): card or passport, with the
        date of birth — so that locking a person out needs both, as printed on their card."""
        born = claim.date_of_birth.isoformat()
        if isinstance(claim, CardClaim):
            return self._key("card", f"{normalise_card_number(claim.card_number)}|{born}")
        passport = normalise_passport_number(claim.passport_number)
        return self._key("passport", f"{claim.citizenship.upper()}|{passport}|{born}")

    def client(self, address: str) -> str:
        return self._key("client", address)

    def stand_in_phone_ending(self, subject_key: str) -> str:
        """Two digits that stand in for a phone's last two when no code is sent: fixed for
        what was typed (asking again shows the same), unrelated to any real number."""
        digest = hmac.new(self._keys, f"phone|{subject_key}".encode(), hashlib.sha256).digest()
        return f"{int.from_bytes(digest[:4], 'big') % 100:02d}"


def secret_hash(value: str) -> str:
    """SHA-256 of a random bearer secret (access token, device credential)."""
    return hashlib.sha256(value.encode()).hexdigest()


#: Between the person's id and the random part of a bearer secret (never in either part:
#: person ids are UUIDs, the random part is URL-safe base64).
BEARER_SEPARATOR = "."


def new_bearer_secret(person_id: str) -> str:
    """A new access token or device credential: ``<person id>.<256 random bits>``. The person's
    id in front lets the look-up name the person, so that a distributed database reads one
    shard (docs/scale-out.md); only the SHA-256 of the whole value is stored."""
    return f"{person_id}{BEARER_SEPARATOR}{secrets.token_urlsafe(32)}"


def bearer_owner(value: str) -> str | None:
    """The person a bearer secret names, or None for one issued before secrets carried it
    (still accepted: found by its hash alone; docs/sign-in.md)."""
    owner, separator, _ = value.partition(BEARER_SEPARATOR)
    return owner if separator else None


def _new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36


# --- rules and throttles ---------------------------------------------------------------------


def sign_in_rules(uow: UnitOfWork, now: datetime) -> SignInRules:
    policy = policy_book(uow).in_force_on(moscow_date(now))
    return SignInRules.from_parameters(policy.parameters)


def _throttle_of(row: SignInThrottleRow | None) -> Throttle:
    if row is None:
        return Throttle()
    return Throttle(row.failures, row.window_started_at, row.locked_until, row.lockouts)


def _refuse_if_locked(uow: UnitOfWork, key: str, now: datetime) -> None:
    wait = _throttle_of(uow.session.get(SignInThrottleRow, key)).locked_for(now)
    if wait is not None:
        raise locked_out(wait, now)


def _locked_row(uow: UnitOfWork, key: str) -> SignInThrottleRow:
    ensure_sign_in_throttle(uow, key)
    row = uow.session.get(SignInThrottleRow, key, with_for_update=True, populate_existing=True)
    assert row is not None
    return row


def _record_failure(uow: UnitOfWork, key: str, rule: LockRule, now: datetime) -> timedelta | None:
    """Count one failure against ``key``; the lock's length if this failure locked it."""
    row = _locked_row(uow, key)
    state = _throttle_of(row).after_failure(rule, now)
    row.failures = state.failures
    row.window_started_at = state.window_started_at
    row.locked_until = state.locked_until
    row.lockouts = state.lockouts
    return state.locked_for(now)


def clear_lock(uow: UnitOfWork, key: str) -> None:
    row = uow.session.get(SignInThrottleRow, key)
    if row is not None:
        row.failures = 0
        row.window_started_at = None
        row.locked_until = None
        row.lockouts = 0


def _refuse_if_too_many_challenges(
    uow: UnitOfWork, rules: SignInRules, now: datetime, subject: str, client: str
) -> None:
    since = now - timedelta(hours=1)
    for column, key, limit in (
        (OtpChallengeRow.subject_key, subject, rules.challenges_per_subject_per_hour),
        (OtpChallengeRow.client_key, client, rules.challenges_per_client_per_hour),
    ):
        recent = uow.session.execute(
            select(func.count(), func.min(OtpChallengeRow.created_at)).where(
                column == key, OtpChallengeRow.created_at > since
            )
        ).one()
        if recent[0] >= limit:
            raise locked_out(recent[1] + timedelta(hours=1) - now, now)


# --- use cases -------------------------------------------------------------------------------


def _matching_card(uow: UnitOfWork, claim: Claim, today: date) -> tuple[Card | None, str | None]:
    """The card that opens sign-in for ``claim`` and its holder's saved language — one query,
    the same for every claim of a kind, whether or not anything matches."""
    query = select(CardRow, PersonRow.language, PersonRow.language_chosen).outerjoin(
        PersonRow, PersonRow.card_number == CardRow.card_number
    )
    if isinstance(claim, CardClaim):
        number = normalise_card_number(claim.card_number)
        rows = uow.session.execute(query.where(CardRow.card_number == number)).all()
    else:
        rows = uow.session.execute(
            query.where(
                CardRow.citizenship == claim.citizenship.upper(),
                CardRow.passport_number == normalise_passport_number(claim.passport_number),
            )
        ).all()
    # a language the person picked; until then, the one they ask in
    languages = {row.card_number: language for row, language, chosen in rows if chosen}
    cards = [card_from_row(row) for row, _, _ in rows]
    if isinstance(claim, CardClaim):
        opened = [
            c for c in cards if c.opens_sign_in(SignInMethod.card, claim.date_of_birth, today)
        ]
        card = opened[0] if opened else None
    else:
        card = card_for_passport(cards, claim.date_of_birth, today)
    return card, (languages.get(card.number) if card else None)


#: The key of a sign-in code's SMS in the outbox: one per challenge and send.
OTP_KEY_PREFIX = "otp:"


def _hand_code_to_outbox(
    uow: UnitOfWork,
    wake: WakeOutbox,
    challenge_id: str,
    sends: int,
    phone: str | None,
    language: str,
    code: str,
    now: datetime,
) -> None:
    """The code's SMS goes into the outbox in the challenge's transaction, like every other
    message; the outbox worker sends it (woken right after the commit). For an unknown card
    (``phone`` None) the same row is written, already given up and empty, so that the request
    does the same work whether the card exists or not."""
    text = Translator(language).gettext(SMS_TEXT, code=code)
    key = f"{OTP_KEY_PREFIX}{challenge_id}:{sends}"
    hand_over_sms(uow, key, challenge_id, phone, text, now)
    uow.after_commit(wake)


def request_code(
    ctx: SignInContext, claim: Claim, *, client_address: str, language: str
) -> ChallengeIssued:
    """Anyone may call this (``POST /api/v1/auth/otp``). Sends a code to the phone on file
    when the claim matches a card that opens sign-in; answers the same either way."""
    now = ctx.clock.now()
    keys = SignInKeys(ctx.secret)
    subject, client = keys.subject(claim), keys.client(client_address)
    method = SignInMethod.card if isinstance(claim, CardClaim) else SignInMethod.passport
    with ctx.uow() as uow:
        rules = sign_in_rules(uow, now)
        _refuse_if_locked(uow, client, now)
        _refuse_if_locked(uow, subject, now)
        _refuse_if_too_many_challenges(uow, rules, now, subject, client)
        card, saved_language = _matching_card(uow, claim, moscow_date(now))
        challenge_id = str(uuid.uuid4())
        code = _new_code()  # made and hashed for every request, sent only for a real card
        uow.session.add(
            OtpChallengeRow(
                id=challenge_id,
                method=method.value,
                subject_key=subject,
                client_key=client,
                deliverable=card is not None,
                card_number=card.number if card else None,
                language=saved_language or language,
                code_hash=keys.code_hash(challenge_id, code),
                created_at=now,
                expires_at=now + rules.code_ttl,
                last_sent_at=now,
                sends=1,
                tries=0,
                consumed_at=None,
            )
        )
        _hand_code_to_outbox(
            uow,
            ctx.wake_outbox,
            challenge_id,
            1,
            card.phone if card is not None else None,
            saved_language or language,
            code,
            now,
        )
        uow.commit()
    return ChallengeIssued(
        challenge_id,
        now + rules.code_ttl,
        int(rules.resend_delay(1).total_seconds()),
        phone_ending(card.phone) if card is not None else keys.stand_in_phone_ending(subject),
        rules.tries_per_code,
    )


def resend_code(ctx: SignInContext, challenge_id: str, *, client_address: str) -> ChallengeIssued:
    """Anyone holding the challenge id may call this (``POST /api/v1/auth/otp/{id}/resend``).
    A new code replaces the old one; the waits between sends double."""
    now = ctx.clock.now()
    keys = SignInKeys(ctx.secret)
    with ctx.uow() as uow:
        rules = sign_in_rules(uow, now)
        _refuse_if_locked(uow, keys.client(client_address), now)
        challenge = (
            uow.session.get(OtpChallengeRow, challenge_id, with_for_update=True)
            if _is_uuid(challenge_id)
            else None
        )
        if challenge is None:
            raise challenge_closed()
        _refuse_if_locked(uow, challenge.subject_key, now)
        if (
            challenge.consumed_at is not None
            or challenge.tries >= rules.tries_per_code
            or now >= challenge.created_at + rules.challenge_lifetime
        ):
            raise challenge_closed()
        next_send = challenge.last_sent_at + rules.resend_delay(challenge.sends)
        if now < next_send:
            raise resend_too_soon(next_send - now)
        issued = reissue_code(uow, ctx.wake_outbox, keys, rules, challenge, now)
        uow.commit()
    return issued


def reissue_code(
    uow: UnitOfWork,
    wake_outbox: WakeOutbox,
    keys: SignInKeys,
    rules: SignInRules,
    challenge: OtpChallengeRow,
    now: datetime,
) -> ChallengeIssued:
    """A fresh code for an open challenge; the same work whether it is deliverable or not."""
    code = _new_code()
    challenge.code_hash = keys.code_hash(challenge.id, code)
    challenge.sends += 1
    challenge.last_sent_at = now
    challenge.expires_at = now + rules.code_ttl
    row = uow.session.scalar(
        select(CardRow).where(CardRow.card_number == (challenge.card_number or ""))
    )
    deliverable = challenge.deliverable and row is not None
    _hand_code_to_outbox(
        uow,
        wake_outbox,
        challenge.id,
        challenge.sends,
        row.phone if deliverable and row is not None else None,
        challenge.language,
        code,
        now,
    )
    return ChallengeIssued(
        challenge.id,
        challenge.expires_at,
        int(rules.resend_delay(challenge.sends).total_seconds()),
        phone_ending(row.phone)
        if deliverable and row is not None
        else keys.stand_in_phone_ending(challenge.subject_key),
        rules.tries_per_code,
    )


def _fail(
    uow: UnitOfWork, rules: SignInRules, now: datetime, client: str, subject: str | None
) -> timedelta | None:
    locks = [_record_failure(uow, client, rules.client_lock, now)]
    if subject is not None:
        locks.append(_record_failure(uow, subject, rules.subject_lock, now))
    return max((lock for lock in locks if lock is not None), default=None)


def verify_code(
    ctx: SignInContext,
    challenge_id: str,
    code: str,
    device: DeviceInfo,
    *,
    client_address: str,
    language: str,
) -> SignedIn:
    """Anyone holding the challenge id may call this (``POST /api/v1/auth/verify``).

    A right code signs the person in: the person record is made on first sign-in, a passport
    sign-in marks the card lost, the device is bound (retiring the previous one) and an access
    token is issued. A wrong code counts against the challenge, the card and the client.
    """
    now = ctx.clock.now()
    keys = SignInKeys(ctx.secret)
    client = keys.client(client_address)
    with ctx.uow() as uow:
        rules = sign_in_rules(uow, now)
        _refuse_if_locked(uow, client, now)
        challenge = (
            uow.session.get(OtpChallengeRow, challenge_id) if _is_uuid(challenge_id) else None
        )

        def refuse(error: AminaError, subject: str | None = None) -> AminaError:
            lock = _fail(uow, rules, now, client, subject)
            uow.commit()
            return locked_out(lock, now) if lock is not None else error

        if challenge is None:
            raise refuse(otp_invalid())
        _refuse_if_locked(uow, challenge.subject_key, now)
        if challenge.tries >= rules.tries_per_code:
            raise refuse(locked_out(rules.resend_first_delay, now))
        if challenge.consumed_at is not None:
            raise refuse(otp_invalid())
        if challenge.expires_at <= now:
            raise refuse(otp_expired())
        claimed = uow.session.execute(
            update(OtpChallengeRow)
            .where(
                OtpChallengeRow.id == challenge.id,
                OtpChallengeRow.tries < rules.tries_per_code,
                OtpChallengeRow.consumed_at.is_(None),
            )
            .values(tries=OtpChallengeRow.tries + 1)
            .execution_options(synchronize_session=False)
        )
        if rowcount(claimed) != 1:
            raise refuse(otp_invalid())
        tries = challenge.tries + 1
        right = hmac.compare_digest(challenge.code_hash, keys.code_hash(challenge.id, code))
        if not (right and challenge.deliverable):
            spent = tries >= rules.tries_per_code
            raise refuse(
                locked_out(rules.resend_first_delay, now)
                if spent
                else otp_invalid(rules.tries_per_code - tries),
                challenge.subject_key,
            )
        consumed = uow.session.execute(
            update(OtpChallengeRow)
            .where(OtpChallengeRow.id == challenge.id, OtpChallengeRow.consumed_at.is_(None))
            .values(consumed_at=now)
            .execution_options(synchronize_session=False)
        )
        card_row = uow.session.get(CardRow, challenge.card_number or "")
        method = SignInMethod(challenge.method)
        if (
            rowcount(consumed) != 1
            or card_row is None
            or not card_from_row(card_row).opens_sign_in(
                method, card_row.date_of_birth, moscow_date(now)
            )
        ):
            raise refuse(otp_invalid(), challenge.subject_key)
        signed_in = _sign_in(uow, rules, card_from_row(card_row), method, device, now, language)
        clear_lock(uow, challenge.subject_key)
        uow.commit()
    return signed_in


def _sign_in(
    uow: UnitOfWork,
    rules: SignInRules,
    card: Card,
    method: SignInMethod,
    device: DeviceInfo,
    now: datetime,
    language: str,
) -> SignedIn:
    person = person_for_card(uow, card, now, language)
    if person.enrolled_at is None:
        person.enrolled_at = now
    if not person.language_chosen and language in LANGUAGES:
        person.language = language  # until the person picks one, the language they use
    if method is SignInMethod.passport and card.status is CardStatus.valid:
        mark_card_lost(
            uow,
            now,
            person_id=person.id,
            card_number=card.number,
            actor_role="person",
            actor_staff_id=None,
            reason="signed in by passport: the card is lost",
        )
    device_id, credential = bind_device(uow, person.id, device, now)
    granted = issue_access_token(uow, rules, person.id, device_id, now)
    return SignedIn(
        access_token=granted.access_token,
        expires_at=granted.expires_at,
        device_credential=credential,
        device_id=device_id,
        person_id=person.id,
        language=person.language,
        language_chosen=person.language_chosen,
    )


def retire_device(uow: UnitOfWork, person_id: str, device_id: str, now: datetime, why: str) -> None:
    """Retire a device and end the sessions it holds."""
    uow.session.execute(
        update(DeviceRow)
        .where(
            DeviceRow.person_id == person_id,
            DeviceRow.id == device_id,
            DeviceRow.retired_at.is_(None),
        )
        .values(retired_at=now, retired_reason=why)
        .execution_options(synchronize_session=False)
    )
    uow.session.execute(
        update(AccessTokenRow)
        .where(
            AccessTokenRow.person_id == person_id,
            AccessTokenRow.device_id == device_id,
            AccessTokenRow.ended_at.is_(None),
        )
        .values(ended_at=now)
        .execution_options(synchronize_session=False)
    )


def bind_device(
    uow: UnitOfWork, person_id: str, device: DeviceInfo, now: datetime
) -> tuple[str, str]:
    """Bind a new reporting device, retiring the active one. Returns (device id, credential)."""
    active = uow.session.scalars(
        select(DeviceRow.id)
        .where(DeviceRow.person_id == person_id, DeviceRow.retired_at.is_(None))
        .with_for_update()
    ).all()
    for device_id in active:
        retire_device(uow, person_id, device_id, now, "replaced")
    credential = new_bearer_secret(person_id)
    row = DeviceRow(
        person_id=person_id,
        id=str(uuid.uuid4()),
        name=device.name,
        platform=device.platform,
        credential_hash=secret_hash(credential),
        bound_at=now,
        retired_at=None,
        retired_reason=None,
    )
    uow.session.add(row)
    try:
        uow.session.flush()
    except IntegrityError as error:  # another sign-in of the same person bound a device now
        raise AminaError(
            "conflict",
            ErrorKind.conflict,
            N_("Please try again"),
            N_("Another change was saved at the same moment."),
        ) from error
    return row.id, credential


def issue_access_token(
    uow: UnitOfWork, rules: SignInRules, person_id: str, device_id: str, now: datetime
) -> AccessGranted:
    token = new_bearer_secret(person_id)
    expires_at = now + rules.access_token_lifetime
    uow.session.add(
        AccessTokenRow(
            person_id=person_id,
            token_hash=secret_hash(token),
            device_id=device_id,
            created_at=now,
            expires_at=expires_at,
            ended_at=None,
        )
    )
    return AccessGranted(token, expires_at)


@dataclass(frozen=True)
class Leftovers:
    challenges: int
    throttles: int
    access_tokens: int


def purge_sign_in_leftovers(uow_factory: UnitOfWorkFactory, clock: Clock) -> Leftovers:
    """The system (a daily job) deletes what sign-in no longer needs: challenges older than a
    day, counters and locks nobody has touched for a day, access tokens a day past their end.
    Devices stay: a retired device must still hear ``device_retired``."""
    now = clock.now()
    day_ago = now - timedelta(days=1)
    with uow_factory() as uow:
        rules = sign_in_rules(uow, now)
        forgotten = now - max(
            rules.subject_lock.memory, rules.client_lock.memory, timedelta(days=1)
        )
        challenges = uow.session.execute(
            delete(OtpChallengeRow).where(OtpChallengeRow.created_at < day_ago)
        )
        # the codes' SMS in the outbox (sent or given up long ago): no phone number or code
        # stays longer than its challenge
        uow.session.execute(
            delete(OutboxRow).where(
                OutboxRow.idempotency_key.startswith(OTP_KEY_PREFIX),
                OutboxRow.created_at < day_ago,
            )
        )
        throttles = uow.session.execute(
            delete(SignInThrottleRow).where(
                or_(
                    SignInThrottleRow.window_started_at.is_(None),
                    SignInThrottleRow.window_started_at < forgotten,
                ),
                or_(
                    SignInThrottleRow.locked_until.is_(None),
                    SignInThrottleRow.locked_until < forgotten,
                ),
            )
        )
        tokens = uow.session.execute(
            delete(AccessTokenRow).where(
                or_(AccessTokenRow.expires_at < day_ago, AccessTokenRow.ended_at < day_ago)
            )
        )
        uow.commit()
    return Leftovers(rowcount(challenges), rowcount(throttles), rowcount(tokens))
