"""Keyed digests of personal values, for lookups that must not hold the values in clear.

The one-registration-per-ID-number rule keeps ``HMAC-SHA256(lookup key, campaign:number)``
instead of the number. Unlike a plain hash, the digest cannot be reversed by guessing (an
18-digit ID number has few enough likely values to try them all in seconds) without the key.

The key is 32 random bytes in base64 in a file, mode 0600: ``lookup_key_file`` when it is
configured (a mounted Secret), else ``<keys_dir>/lookup/recruitment.key``. Outside production
the file is made on first use (``gravity up`` makes it before the services start); in
production it is never made by a service: a missing or malformed key file refuses the start,
and ``gravity privacy lookup-key`` makes one (docs/privacy.md).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from pathlib import Path

from shared.config import ConfigError, Settings

KEY_BYTES = 32
LOOKUP_DIR = "lookup"
SCHEME = "hmac-sha256"
LEGACY_SCHEME = "sha256"  # the plain digests of databases made before the key (docs/privacy.md)


class LookupKeyError(ConfigError):
    """The lookup key file is missing or does not hold a key; the message names the file."""


class LookupDigest:
    """Keyed digests of one purpose's values."""

    def __init__(self, key: bytes) -> None:
        if len(key) < KEY_BYTES:
            raise LookupKeyError(f"a lookup key is at least {KEY_BYTES} bytes")
        self._key = key

    def digest(self, *parts: str) -> str:
        """Hex HMAC-SHA256 of the parts joined by ``:``."""
        return hmac.new(self._key, ":".join(parts).encode("utf-8"), hashlib.sha256).hexdigest()


def legacy_digest(*parts: str) -> str:
    """The unkeyed SHA-256 older databases stored; read during the transition, never written."""
    return hashlib.sha256(":".join(parts).encode("utf-8")).hexdigest()


def lookup_key_path(settings: Settings) -> Path:
    configured = settings.lookup_key_file
    if configured:
        return Path(configured).expanduser()
    return settings.keys_dir / LOOKUP_DIR / "recruitment.key"


def make_lookup_key(path: Path) -> bool:
    """Make a key file at ``path`` (0600, its folder 0700) unless there is one; True if made."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii") + "\n")
    return True


def load_lookup_key(path: Path) -> LookupDigest:
    try:
        key = base64.b64decode(path.read_text(encoding="ascii").strip(), validate=True)
    except FileNotFoundError:
        raise LookupKeyError(
            f"no lookup key at {path}: make one with `gravity privacy lookup-key` "
            "or set GRAVITY_LOOKUP_KEY_FILE to a mounted secret (docs/privacy.md)"
        ) from None
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise LookupKeyError(f"{path} does not hold a base64 lookup key") from None
    return LookupDigest(key)


def lookup_digest(settings: Settings) -> LookupDigest:
    """The configured lookup key; made on first use only outside production and when no file
    is configured (a configured file is a mounted secret: it must exist)."""
    path = lookup_key_path(settings)
    if not settings.is_production and not settings.lookup_key_file:
        make_lookup_key(path)
    return load_lookup_key(path)
