"""One personal value sealed with its subject's data key: AES-256-GCM, the event id and the
field name as associated data, written as a JSON string ``enc:v1:<key id>:<base64>``.

The sealed text stays a string, so a payload keeps its contract's types, its canonical JSON
and its place in the hash chain; only what the string says changes. The base64 holds the
12-byte nonce followed by the ciphertext and its 16-byte tag. Associated data binds a sealed
value to its event and field: copied into another event or field, it no longer opens.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass
from typing import TypeGuard

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "enc:v1:"
ERASED = "[erased]"
"""What a sealed value reads as once its subject's key is destroyed."""
NONCE_BYTES = 12
KEY_BYTES = 32
_SEALED = re.compile(r"^enc:v1:([0-9a-f]{32}):([A-Za-z0-9+/=]+)\Z")
_KEY_ID_END = len(PREFIX) + 32


class SealedValueError(ValueError):
    """A value that says it is sealed does not open (wrong key, altered, or malformed)."""


@dataclass(frozen=True)
class SealedValue:
    """A parsed ``enc:v1:`` value: the id of the data key it needs and the sealed bytes."""

    key_id: str
    sealed: bytes


def is_sealed(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and value.startswith(PREFIX)


def sealed_key_id(value: str) -> str | None:
    """The key id a sealed value names, read without decoding the rest (which ``parse_sealed``
    checks when the value is opened); None when the value is malformed."""
    found = _SEALED.match(value)
    return None if found is None else found.group(1)


def parse_sealed(value: str) -> SealedValue:
    found = _SEALED.match(value)
    if found is None:
        raise SealedValueError("a sealed value is enc:v1:<key id>:<base64>")
    try:
        sealed = base64.b64decode(found.group(2), validate=True)
    except binascii.Error:
        raise SealedValueError("a sealed value's base64 does not decode") from None
    if len(sealed) < NONCE_BYTES + 16:
        raise SealedValueError("a sealed value is too short")
    return SealedValue(found.group(1), sealed)


def associated_data(event_id: str, field: str) -> bytes:
    return f"{event_id}\x00{field}".encode()


def seal_value(value: str, data_key: bytes, key_id: str, event_id: str, field: str) -> str:
    """``value`` sealed with ``data_key`` (whose id is ``key_id``) for ``field`` of an event."""
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(data_key).encrypt(
        nonce, value.encode("utf-8"), associated_data(event_id, field)
    )
    return f"{PREFIX}{key_id}:{base64.b64encode(nonce + ciphertext).decode('ascii')}"


def open_value(sealed: SealedValue, data_key: bytes | AESGCM, event_id: str, field: str) -> str:
    """The plaintext of ``sealed``; ``SealedValueError`` if the key or context is not its own.
    ``data_key``: the key, or an ``AESGCM`` made of it once for the values it opens."""
    aead = data_key if isinstance(data_key, AESGCM) else AESGCM(data_key)
    nonce, ciphertext = sealed.sealed[:NONCE_BYTES], sealed.sealed[NONCE_BYTES:]
    try:
        plain = aead.decrypt(nonce, ciphertext, associated_data(event_id, field))
    except InvalidTag:
        raise SealedValueError("the sealed value does not open with its key") from None
    return plain.decode("utf-8")
