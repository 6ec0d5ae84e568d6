"""The event log's signing key (Ed25519) and the public keys auditors verify with.

A private key file holds the 32-byte seed in base64 (mode 0600); its public key file, the
32-byte public key in base64 (``<name>.pub``), is what an auditor needs. A key's id is the
first 16 hex digits of the SHA-256 of its public key, so a checkpoint names the key that
signed it and old checkpoints still verify after a rotation.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.events.ed25519 import Verifier

RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw


class KeyFileError(ValueError):
    """A key file is missing or does not hold a key; the message names the file."""


def key_id(public_key: Ed25519PublicKey) -> str:
    return hashlib.sha256(public_key.public_bytes(*RAW)).hexdigest()[:16]


def public_key_text(public_key: Ed25519PublicKey) -> str:
    return base64.b64encode(public_key.public_bytes(*RAW)).decode("ascii")


def load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        seed = base64.b64decode(path.read_text(encoding="ascii").strip(), validate=True)
        return Ed25519PrivateKey.from_private_bytes(seed)
    except FileNotFoundError:
        raise KeyFileError(f"no signing key at {path}") from None
    except ValueError as error:
        raise KeyFileError(f"{path} does not hold an Ed25519 key ({error})") from None


def ensure_private_key(path: Path) -> Ed25519PrivateKey:
    """The key at ``path``, made (with its ``.pub`` beside it) if there is none yet."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        seed = key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(base64.b64encode(seed).decode("ascii") + "\n")
        public = path.with_suffix(".pub")
        public.write_text(public_key_text(key.public_key()) + "\n", encoding="ascii")
    return load_private_key(path)


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        raw = base64.b64decode(path.read_text(encoding="ascii").strip(), validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except FileNotFoundError:
        raise KeyFileError(f"no public key at {path}") from None
    except ValueError as error:
        raise KeyFileError(f"{path} does not hold an Ed25519 public key ({error})") from None


class Keyring:
    """Public keys by id: what a signature is checked against."""

    def __init__(self, keys: Iterable[Ed25519PublicKey] = ()) -> None:
        self._keys: Mapping[str, Ed25519PublicKey] = {key_id(key): key for key in keys}
        self._verifiers = {identifier: Verifier(key) for identifier, key in self._keys.items()}

    @classmethod
    def from_files(cls, paths: Iterable[Path]) -> Keyring:
        return cls(load_public_key(path) for path in paths)

    def __bool__(self) -> bool:
        return bool(self._keys)

    def public_keys(self) -> list[Ed25519PublicKey]:
        return list(self._keys.values())

    def knows(self, identifier: str) -> bool:
        return identifier in self._keys

    def verifies(self, identifier: str, signature: str, message: bytes) -> bool:
        verifier = self._verifiers.get(identifier)
        if verifier is None:
            return False
        try:
            raw = base64.b64decode(signature)
        except ValueError:  # not base64
            return False
        return verifier.verifies(raw, message)
