"""Who is calling: the person behind an access token, the device behind a device credential;
signing out and renewing an access token with the device credential.

Both secrets are the person's id and 256 random bits (``<person id>.<secret>``), stored as
SHA-256 and looked up by that hash through an index — fast enough for every location report
(PERFORMANCE.md), never a slow hash — together with the person's id, so that a distributed
database reads one shard (docs/scale-out.md). Secrets issued before they carried the id have
no ``.`` and are found by the hash alone (docs/sign-in.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from amina.adapters.db.identity.tables import AccessTokenRow, DeviceRow, PersonRow
from amina.adapters.db.uow import UnitOfWorkFactory
from amina.i18n import N_
from amina.services.clock import Clock
from amina.services.errors import AminaError, ErrorKind
from amina.services.identity.sign_in import (
    AccessGranted,
    bearer_owner,
    issue_access_token,
    retire_device,
    secret_hash,
    sign_in_rules,
)


class CredentialRefused(AminaError):
    """A token or credential that opens nothing. ``language`` is the holder's saved language
    when the holder is known (an expired token, a retired device), so the message is in it."""

    def __init__(self, code: str, title: str, detail: str, language: str | None = None) -> None:
        super().__init__(code, ErrorKind.unauthorized, title, detail)
        self.language = language


def not_signed_in() -> CredentialRefused:
    return CredentialRefused(
        "not_signed_in",
        N_("Please sign in"),
        N_("You are not signed in, or your session has ended. Sign in again."),
    )


def token_expired(language: str) -> CredentialRefused:
    return CredentialRefused(
        "token_expired",
        N_("Your session has expired"),
        N_("Sign in again to continue."),
        language,
    )


def device_unknown() -> CredentialRefused:
    return CredentialRefused(
        "device_unknown",
        N_("Device not recognised"),
        N_("This device is not linked to an Amina account. Sign in on this device again."),
    )


def device_retired(language: str) -> CredentialRefused:
    return CredentialRefused(
        "device_retired",
        N_("This device no longer reports"),
        N_(
            "Another device was linked to your account, so this one no longer sends your "
            "location. To report from this device again, sign in on it."
        ),
        language,
    )


@dataclass(frozen=True)
class SignedInPerson:
    person_id: str
    device_id: str
    language: str
    token_hash: str


@dataclass(frozen=True)
class BoundDevice:
    person_id: str
    device_id: str
    name: str
    platform: str
    bound_at: datetime
    language: str


def authenticate_person(uow_factory: UnitOfWorkFactory, clock: Clock, token: str) -> SignedInPerson:
    """The person an access token belongs to. Raises ``not_signed_in`` / ``token_expired``."""
    token_hash = secret_hash(token)
    owner = bearer_owner(token)
    with uow_factory() as uow:
        found = uow.session.execute(
            select(
                AccessTokenRow.person_id,
                AccessTokenRow.device_id,
                AccessTokenRow.expires_at,
                AccessTokenRow.ended_at,
                PersonRow.language,
            )
            .join(PersonRow, PersonRow.id == AccessTokenRow.person_id)
            .where(
                AccessTokenRow.token_hash == token_hash,
                *([] if owner is None else [AccessTokenRow.person_id == owner]),
            )
        ).first()
    if found is None or found.ended_at is not None:
        raise not_signed_in()
    if found.expires_at <= clock.now():
        raise token_expired(found.language)
    return SignedInPerson(found.person_id, found.device_id, found.language, token_hash)


def authenticate_device(uow_factory: UnitOfWorkFactory, credential: str) -> BoundDevice:
    """The active device a credential belongs to. Raises ``device_unknown`` /
    ``device_retired`` (in the person's language)."""
    owner = bearer_owner(credential)
    with uow_factory() as uow:
        found = uow.session.execute(
            select(
                DeviceRow.person_id,
                DeviceRow.id,
                DeviceRow.name,
                DeviceRow.platform,
                DeviceRow.bound_at,
                DeviceRow.retired_at,
                PersonRow.language,
            )
            .join(PersonRow, PersonRow.id == DeviceRow.person_id)
            .where(
                DeviceRow.credential_hash == secret_hash(credential),
                *([] if owner is None else [DeviceRow.person_id == owner]),
            )
        ).first()
    if found is None:
        raise device_unknown()
    if found.retired_at is not None:
        raise device_retired(found.language)
    return BoundDevice(
        found.person_id, found.id, found.name, found.platform, found.bound_at, found.language
    )


def sign_out(
    uow_factory: UnitOfWorkFactory, clock: Clock, person: SignedInPerson, *, retire: bool
) -> None:
    """The person ends this session; with ``retire`` the device stops reporting too."""
    now = clock.now()
    with uow_factory() as uow:
        uow.session.execute(
            update(AccessTokenRow)
            .where(
                AccessTokenRow.person_id == person.person_id,
                AccessTokenRow.token_hash == person.token_hash,
            )
            .values(ended_at=now)
            .execution_options(synchronize_session=False)
        )
        if retire:
            retire_device(uow, person.person_id, person.device_id, now, "signed_out")
        uow.commit()


def renew_access(
    uow_factory: UnitOfWorkFactory, clock: Clock, device: BoundDevice
) -> AccessGranted:
    """A new access token for an active device (from :func:`authenticate_device`): no code
    needed, the device proved itself at sign-in."""
    now = clock.now()
    with uow_factory() as uow:
        granted = issue_access_token(
            uow, sign_in_rules(uow, now), device.person_id, device.device_id, now
        )
        uow.commit()
    return granted
