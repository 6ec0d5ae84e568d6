"""A component's master key: it wraps the data keys of its key store, and nothing else.

One file per component, ``<keys_dir>/privacy/<component>.master`` (32 random bytes in base64,
mode 0600, made on first use like the producer keys), or the file the ``master_keys`` setting
names for it (``GRAVITY_<COMPONENT>_MASTER_KEY_FILE``: a mounted secret, never made). Its id
is the first 16 hex digits of SHA-256 over the key, so a wrapped data key names the master key
that wrapped it and a rotation (``shared.privacy.rotation``) can re-wrap without touching a
single event.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared.config import ConfigError, Settings
from shared.privacy.sealing import KEY_BYTES, NONCE_BYTES

MASTER_DIR = "privacy"


class MasterKeyError(ConfigError):
    """The master key file is missing, malformed, or not the key that wrapped a data key."""


class MasterKey:
    """Wraps and unwraps data keys (AES-256-GCM, the subject and key id as associated data)."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise MasterKeyError("a master key is 32 bytes")
        self._aead = AESGCM(key)
        self.key_id = hashlib.sha256(key).hexdigest()[:16]

    @classmethod
    def generate(cls) -> MasterKey:
        return cls(AESGCM.generate_key(bit_length=256))

    def wrap(self, data_key: bytes, subject_id: str, key_id: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, data_key, _context(subject_id, key_id))
        return f"{self.key_id}:{base64.b64encode(nonce + sealed).decode('ascii')}"

    def unwrap(self, wrapped: str, subject_id: str, key_id: str) -> bytes:
        master_id, _, text = wrapped.partition(":")
        if master_id != self.key_id:
            raise MasterKeyError(f"data key {key_id} is wrapped by master key {master_id}")
        try:
            raw = base64.b64decode(text, validate=True)
            return self._aead.decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], _context(subject_id, key_id)
            )
        except (binascii.Error, InvalidTag):
            raise MasterKeyError(f"data key {key_id} does not unwrap") from None


def _context(subject_id: str, key_id: str) -> bytes:
    return f"{subject_id}\x00{key_id}".encode()


def master_key_path(keys_dir: Path, component: str, configured: str = "") -> Path:
    return (
        Path(configured).expanduser()
        if configured
        else keys_dir / MASTER_DIR / f"{component}.master"
    )


def load_master_key(path: Path) -> MasterKey:
    try:
        return MasterKey(base64.b64decode(path.read_text(encoding="ascii").strip(), validate=True))
    except FileNotFoundError:
        raise MasterKeyError(f"no master key at {path}") from None
    except (binascii.Error, ValueError) as error:
        raise MasterKeyError(f"{path} does not hold a master key ({error})") from None


def ensure_master_key(path: Path) -> MasterKey:
    """The master key at ``path``, made (0600, in a 0700 folder) if there is none yet."""
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = AESGCM.generate_key(bit_length=256)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it a moment ago
            return load_master_key(path)
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(base64.b64encode(key).decode("ascii") + "\n")
    return load_master_key(path)


def component_master_key_path(settings: Settings, component: str) -> Path:
    """Where ``component``'s master key is: its configured file, else the keys folder's."""
    return master_key_path(settings.keys_dir, component, settings.master_keys.get(component, ""))


def component_master_key(settings: Settings, component: str) -> MasterKey:
    """``component``'s master key; made on first use unless a file is configured (a mounted
    secret, which must exist: making one there would hide a lost key behind a new one)."""
    path = component_master_key_path(settings, component)
    if settings.master_keys.get(component):
        return load_master_key(path)
    return ensure_master_key(path)
