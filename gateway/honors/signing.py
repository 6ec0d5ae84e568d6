"""The gateway's documents key: an Ed25519 key that signs the manifest of every recommendation
bundle, so that a university checks a bundle with the public key alone (no secret, no call).

The key is ``<keys dir>/documents/documents.key`` (the event log's key format:
``shared.eventlog.keys``), made on the first start on one machine; several gateways share it
through a mounted secret (``gravity-documents-key`` in deploy/k8s). It lives in a folder of its
own so that the event log's keyring (every ``*.pub`` in the keys dir) never trusts it for a
checkpoint. The public keys served at ``GET /verify/keys`` are the key in use and any retired
``*.pub`` kept beside it, so that bundles signed before a rotation still check.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from nameko.extensions import DependencyProvider

from shared.config import CONFIG_KEY, Settings
from shared.eventlog.keys import (
    ensure_private_key,
    key_id,
    load_private_key,
    load_public_key,
    public_key_text,
)

FOLDER, KEY_FILE = "documents", "documents.key"
ALGORITHM = "Ed25519"


def documents_key_path(settings: Settings) -> Path:
    return settings.keys_dir / FOLDER / KEY_FILE


def _key_at(path: Path) -> Ed25519PrivateKey:
    try:
        return ensure_private_key(path)
    except FileExistsError:  # another gateway process on this machine made it just now
        time.sleep(0.5)
        return load_private_key(path)


def public_key_entry(key: Ed25519PublicKey) -> dict[str, str]:
    """A public key as ``GET /verify/keys`` lists it: raw (base64) and as PEM for openssl."""
    pem = key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")
    return {
        "key_id": key_id(key),
        "algorithm": ALGORITHM,
        "public_key": public_key_text(key),
        "pem": pem,
    }


class DocumentsSigner:
    """Signs bundle manifests with the documents key; lists the public keys to check them."""

    def __init__(self, key: Ed25519PrivateKey, retired: tuple[Ed25519PublicKey, ...] = ()) -> None:
        self._key = key
        self.key_id = key_id(key.public_key())
        self._retired = tuple(k for k in retired if key_id(k) != self.key_id)

    @classmethod
    def from_path(cls, path: Path) -> DocumentsSigner:
        """The key at ``path`` (made if missing) and every other ``*.pub`` beside it."""
        key = _key_at(path)
        others = sorted(p for p in path.parent.glob("*.pub") if p != path.with_suffix(".pub"))
        return cls(key, tuple(load_public_key(p) for p in others))

    def sign(self, message: bytes) -> bytes:
        """The raw 64-byte Ed25519 signature of ``message``."""
        return self._key.sign(message)

    def public_keys(self) -> list[dict[str, str]]:
        """The key in use first, then retired ones."""
        return [public_key_entry(k) for k in (self._key.public_key(), *self._retired)]


class DocumentsSignerProvider(DependencyProvider):  # type: ignore[misc] # nameko is untyped
    """One signer per container: the key is read (or made) when the container starts."""

    def setup(self) -> None:
        settings: Settings = self.container.config[CONFIG_KEY]["settings"]
        self.signer = DocumentsSigner.from_path(documents_key_path(settings))

    def get_dependency(self, worker_ctx: Any) -> DocumentsSigner:  # noqa: ARG002 - nameko API
        return self.signer
