"""Ed25519 signing and checking through libsodium (PyNaCl): events, key requests, checkpoints.

Keys are made, written and read with ``cryptography`` (``shared.eventlog.keys``: the key
files hold its raw seed and raw public key). Its Ed25519 verify costs 107 µs of CPU and its
sign 33 µs for a registration-sized event here, libsodium's 56 and 22 (``bench/signatures.py``,
docs/performance.md), and the check of each event's signature was the largest single item in
the event log's and placement's CPU per registration. So a loaded key is turned into
libsodium's once, here, and every signature on the event path goes through it. The signatures
are the same bytes either way (Ed25519 is deterministic): one made by either library verifies
with the other.

libsodium refuses what OpenSSL refuses (a wrong length, a flipped bit, a tampered message:
``tests/unit/test_ed25519.py``) and is, if anything, stricter: it also refuses a public key or
a signature's R of small order, which no honest signer makes. (The gateway's bundle manifests,
signed a few times a day, still go through ``cryptography``.)
"""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from nacl.exceptions import CryptoError
from nacl.signing import SigningKey, VerifyKey


class Verifier:
    """Checks signatures against one public key."""

    def __init__(self, public_key: Ed25519PublicKey) -> None:
        raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self._key = VerifyKey(raw)

    def verifies(self, signature: bytes, message: bytes) -> bool:
        """Whether ``signature`` is this key's Ed25519 signature of ``message``. A signature
        of the wrong length is refused like a forged one (libsodium raises its ValueError or
        TypeError for it, both CryptoErrors, where OpenSSL answers an invalid signature)."""
        try:
            self._key.verify(message, signature)
        except CryptoError:
            return False
        return True


class Signer:
    """Signs with one private key."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        seed = private_key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        self._key = SigningKey(seed)

    def sign(self, message: bytes) -> bytes:
        """The raw 64-byte Ed25519 signature of ``message``."""
        return self._key.sign(message).signature
