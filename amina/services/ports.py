"""Ports: what the use cases need from the world outside the process (ADR 002).

Each port has a local working implementation for development, chosen in
``amina/bootstrap.py``; the in-memory fakes for tests are in ``tests/fakes/``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from amina.domain.address_register import RegisterEntry
from amina.domain.audit_checkpoints import Checkpoint


class SmsGateway(Protocol):
    """Sends one text message. Local: ``amina.adapters.notify.sms.LocalSmsGateway``."""

    def send(self, to: str, text: str) -> None:
        """Send ``text`` to the E.164 number ``to``. Called only after the transaction that
        decided to send has committed."""
        ...


@dataclass(frozen=True)
class RegisterLine:
    """One record of a card register file: its line number and its fields as read, or why it
    could not be read at all (``problem``)."""

    line: int
    fields: Mapping[str, object] | None
    problem: str | None = None


class CardRegister(Protocol):
    """A source of card register records (SPEC §2 "foreign-citizen-card register").

    Local: ``amina.adapters.external.card_register.CardRegisterFile`` (CSV or JSON Lines).
    """

    @property
    def name(self) -> str:
        """What to call the source in reports (a file name)."""
        ...

    @property
    def fingerprint(self) -> str:
        """A hash of the whole content: the same records give the same fingerprint, so an
        interrupted import of them can be resumed."""
        ...

    def count(self) -> int:
        """How many records there are (for a progress bar)."""
        ...

    def lines(self) -> Iterator[RegisterLine]:
        """The records in order. Raises :class:`UnknownColumns` before the first record when
        the source has fields the register format does not know."""
        ...


class UnknownColumns(ValueError):
    """The source names fields that are not in the register format; nothing is imported."""

    def __init__(self, columns: list[str]) -> None:
        super().__init__(f"unknown column(s): {', '.join(columns)}")
        self.columns = columns


# --- payments (issue 11) ---------------------------------------------------------------------


class ProviderState(StrEnum):
    """Where a payment stands at the acquirer."""

    pending = "pending"
    succeeded = "succeeded"
    failed = "failed"
    expired = "expired"
    refunded = "refunded"


@dataclass(frozen=True)
class PaymentOrder:
    """What Amina asks the acquirer to collect: one payment intent, identified as the budget
    requires (payer's INN, KBK, OKTMO of the place of work)."""

    payment_id: str
    amount: Decimal
    description: str
    payer_inn: str
    kbk: str
    oktmo: str
    expires_at: datetime
    return_url: str


@dataclass(frozen=True)
class CheckoutSession:
    """The acquirer's reference for the payment and the page where the person pays."""

    provider_ref: str
    checkout_url: str


@dataclass(frozen=True)
class ProviderReport:
    """What the acquirer says about a payment (in a callback or when asked)."""

    payment_id: str
    provider_ref: str
    state: ProviderState
    amount: Decimal | None = None
    paid_at: datetime | None = None


class InvalidCallback(ValueError):
    """A callback whose signature does not verify, or that cannot be read: ignored."""


class PaymentUnavailable(RuntimeError):
    """The acquirer cannot be reached or is not configured."""


class PaymentProvider(Protocol):
    """An acquirer that collects the patent's payment (issue 11). A real acquirer implements
    these four calls; local: ``amina.adapters.external.payments.sandbox.SandboxProvider``."""

    @property
    def name(self) -> str:
        """A short name stored with each payment (``sandbox``)."""
        ...

    def create_payment(self, order: PaymentOrder) -> CheckoutSession:
        """Open a payment; the person pays at ``checkout_url``. Raises PaymentUnavailable."""
        ...

    def status(self, provider_ref: str) -> ProviderReport:
        """Ask where a payment stands (reconciliation of intents stuck in pending)."""
        ...

    def verify_callback(self, body: bytes, signature: str | None) -> ProviderReport:
        """Read a callback, checking its signature; raises InvalidCallback."""
        ...

    def refund(self, provider_ref: str, amount: Decimal) -> None:
        """Give the money back (a payment that cannot count). Called after commit."""
        ...


class CheckpointSigner(Protocol):
    """Signs audit checkpoints with a private key the database does not hold (Ed25519).
    Real: ``amina.adapters.audit_checkpoints.keys.Ed25519Signer`` (a key file or setting)."""

    @property
    def key_id(self) -> str:
        """Names the key pair (from its public key), written into every checkpoint."""
        ...

    def sign(self, payload: bytes) -> bytes:
        """The signature of ``payload``."""
        ...


class CheckpointKeys(Protocol):
    """The public keys trusted to have signed checkpoints: the current one and those of
    earlier, rotated keys. ``amina.adapters.audit_checkpoints.keys.PublicKeys``."""

    def knows(self, key_id: str) -> bool:
        """Whether a trusted public key has this id."""
        ...

    def verify(self, key_id: str, payload: bytes, signature: bytes) -> bool:
        """Whether ``signature`` over ``payload`` was made with the key ``key_id``."""
        ...


class UnreadableCheckpoint(ValueError):
    """A checkpoint file that is not a checkpoint (damaged, truncated, another format)."""


class CheckpointArchive(Protocol):
    """Where signed audit checkpoints are kept, outside the database.
    ``amina.adapters.audit_checkpoints.directory.CheckpointDirectory``."""

    @property
    def location(self) -> str:
        """Where it is, for messages (a directory path)."""
        ...

    def names(self) -> list[str]:
        """Every checkpoint's name, oldest first."""
        ...

    def read(self, name: str) -> Checkpoint:
        """One checkpoint. Raises :class:`UnreadableCheckpoint`."""
        ...

    def write(self, checkpoint: Checkpoint) -> str:
        """Keep a new checkpoint (never replacing one); returns its name."""


# --- the state address register (issue 13) ---------------------------------------------------


class AddressRegister(Protocol):
    """The state address register (ГАР) as a person's app needs it: addresses found by what the
    person types, and an address by its register id.

    Local: ``amina.adapters.external.gar.register.LocalAddressRegister`` (the register's open
    export, imported by ``amina import addresses``).
    """

    def search(self, words: Sequence[str], limit: int) -> list[RegisterEntry]:
        """Streets and houses in which every word begins a word, in reading order. ``words``
        are already cut by ``amina.domain.address_register.query_words``."""
        ...

    def find(self, gar_id: str) -> RegisterEntry | None:
        """The street, house or apartment with this register id (an apartment: its house,
        with the apartment's number as the flat); None if the register does not know it."""
        ...


class GarPart(StrEnum):
    """The files of one region of the register's export, in the order they are read."""

    objects = "objects"  # AS_ADDR_OBJ
    houses = "houses"  # AS_HOUSES
    apartments = "apartments"  # AS_APARTMENTS
    hierarchy = "hierarchy"  # AS_ADM_HIERARCHY (AS_MUN_HIERARCHY when absent)


@dataclass(frozen=True)
class GarTypes:
    """Short type names by id as the export's own type files give them (AS_HOUSE_TYPES,
    AS_ADDHOUSE_TYPES, AS_APARTMENT_TYPES); empty where the export has none."""

    houses: Mapping[str, str]
    add_houses: Mapping[str, str]
    apartments: Mapping[str, str]


class GarExport(Protocol):
    """The register's export (one folder per region code). Local:
    ``amina.adapters.external.gar.files.GarFolder``."""

    @property
    def name(self) -> str:
        """What to call the export in reports (its folder)."""
        ...

    def regions(self) -> list[str]:
        """The region codes the export holds ("77", "50"), in order."""
        ...

    def size(self) -> int:
        """How much there is to read, in bytes (for a progress bar)."""
        ...

    def types(self) -> GarTypes:
        """The export's type names."""
        ...

    def records(
        self, region: str, part: GarPart, progress: Callable[[int], None] | None = None
    ) -> Iterator[Mapping[str, str]]:
        """The attributes of each record of one part of a region, streamed; ``progress`` is
        told how many more bytes were read."""
        ...
