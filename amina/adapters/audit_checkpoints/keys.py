"""Ed25519 keys for audit checkpoints: generating a key pair into files, the signer (private
key, from a file or a setting) and the trusted public keys that verify.

The private key never goes into the database: whoever can change the database must not be able
to sign a checkpoint for what they changed.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)


def key_id_of(public_key: Ed25519PublicKey) -> str:
    """A short name for a key pair: the first 16 hex digits of SHA-256 of the raw public key."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_pem(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


class Ed25519Signer:
    """Signs checkpoints (the :class:`~amina.services.ports.CheckpointSigner` port)."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._private_key = private_key
        self.public_key = private_key.public_key()
        self._key_id = key_id_of(self.public_key)

    @classmethod
    def from_pem(cls, data: bytes) -> Ed25519Signer:
        """From a PKCS #8 PEM private key (what `amina audit keygen` writes)."""
        key = load_pem_private_key(data, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the audit signing key is not an Ed25519 private key")
        return cls(key)

    @property
    def key_id(self) -> str:
        return self._key_id

    def sign(self, payload: bytes) -> bytes:
        return self._private_key.sign(payload)


def load_public_key(path: Path) -> Ed25519PublicKey:
    """A PEM public key file (``<key>.pub`` written by `amina audit keygen`)."""
    key = load_pem_public_key(path.read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path} is not an Ed25519 public key")
    return key


class PublicKeys:
    """The public keys trusted to have signed checkpoints, by key id (the
    :class:`~amina.services.ports.CheckpointKeys` port)."""

    def __init__(self, keys: Iterable[Ed25519PublicKey]) -> None:
        self._keys = {key_id_of(key): key for key in keys}

    @property
    def ids(self) -> list[str]:
        return sorted(self._keys)

    def knows(self, key_id: str) -> bool:
        return key_id in self._keys

    def verify(self, key_id: str, payload: bytes, signature: bytes) -> bool:
        key = self._keys.get(key_id)
        if key is None:
            return False
        try:
            key.verify(signature, payload)
        except InvalidSignature:
            return False
        return True


def load_signer(key_file: Path | None, key_pem: str | None) -> Ed25519Signer | None:
    """The signer from the key file, else from the PEM text of the setting; None without
    either (this process then writes no checkpoints)."""
    if key_file is not None:
        return Ed25519Signer.from_pem(key_file.read_bytes())
    if key_pem:
        return Ed25519Signer.from_pem(key_pem.encode())
    return None


def trusted_keys(signer: Ed25519Signer | None, public_key_files: Iterable[Path]) -> PublicKeys:
    """The signer's own public key (if this process signs) and every listed public key file."""
    keys = [load_public_key(path) for path in public_key_files]
    if signer is not None:
        keys.append(signer.public_key)
    return PublicKeys(keys)


@dataclass(frozen=True)
class KeyPairFiles:
    private: Path
    public: Path
    key_id: str


def public_key_path(private: Path) -> Path:
    """Where `amina audit keygen` puts the public key: beside the private one, ``.pub`` added."""
    return private.with_name(private.name + ".pub")


def generate_key_pair(private: Path) -> KeyPairFiles:
    """Write a new Ed25519 private key to ``private`` (mode 0600, PKCS #8 PEM) and its public
    key to ``private.pub``. Never replaces a file: raises FileExistsError."""
    public = public_key_path(private)
    if public.exists():
        raise FileExistsError(public)
    key = Ed25519PrivateKey.generate()
    private.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: refuse to overwrite; 0600 from the first byte (never readable by others)
    descriptor = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
        file.flush()
        os.fsync(file.fileno())
    private.chmod(0o600)  # the umask may have taken bits away, never added; say it plainly
    public.write_bytes(public_pem(key.public_key()))
    return KeyPairFiles(private, public, key_id_of(key.public_key()))
