"""The public verification code of a certificate's or a letter's serial number.

Anyone may check a document at ``/verify/{serial}?code=...`` without a token. Serials are
gapless and so guessable; the code is what the document itself carries: an HMAC-SHA256 of
the serial under a secret only the suite knows (``honors.verification_secret``, from
``GRAVITY_VERIFICATION_SECRET``), cut to 16 base32 characters (80 bits). Without the secret a
caller can neither enumerate serials nor tell whether one exists. The code is never stored
in an event: it follows from the serial wherever it is shown, and a new secret re-keys them
all (documents printed before then no longer verify).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

CODE_LENGTH = 16  # base32 characters, 5 bits each: 80 bits


def verification_code(secret: str, serial: str) -> str:
    """The code printed beside ``serial`` (upper-case base32, no padding)."""
    digest = hmac.new(secret.encode(), serial.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii")[:CODE_LENGTH]


def is_valid_code(secret: str, serial: str, code: str) -> bool:
    """True if ``code`` is ``serial``'s, compared in constant time; case and surrounding
    spaces do not matter (people type codes from paper)."""
    expected = verification_code(secret, serial).encode("ascii")
    offered = code.strip().upper().encode("utf-8")
    return hmac.compare_digest(expected, offered)
