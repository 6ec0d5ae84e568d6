"""Passwords: the minimum strength a new one must have, and Argon2id hashes to check one.

Checks take the same time whether or not the account exists: an unknown username is
checked against a dummy hash (``check_password(None, ...)``), so that timing does not tell
which usernames exist. Hashes are Argon2id with OWASP's recommended minimum (19 MiB, two
passes, one lane): a check costs tens of milliseconds of one core, and it runs in a native
thread when eventlet runs the process (the gateway), so that other requests go on meanwhile.
"""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from gateway.accounts.common_passwords import COMMON_PASSWORDS
from gateway.core.off_the_hub import off_the_hub

MIN_LENGTH = 10
MAX_LENGTH = 128


def password_weaknesses(password: str, username: str) -> list[str]:
    """Why ``password`` is too weak for ``username`` (empty when it is strong enough)."""
    reasons: list[str] = []
    if len(password) < MIN_LENGTH:
        reasons.append(f"shorter than {MIN_LENGTH} characters")
    if password.lower() in COMMON_PASSWORDS:
        reasons.append("a commonly used password")
    if username and password.casefold() == username.casefold():
        reasons.append("the same as the username")
    return reasons


@functools.cache
def _hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


@functools.cache
def _dummy_hash() -> str:
    """A hash of nothing anyone knows, made once: what an unknown username is checked against."""
    return _hasher().hash("no account has this password: it is checked to spend the time")


def hash_password(password: str) -> str:
    """The Argon2id hash (with its salt and parameters) to store in place of ``password``."""
    return off_the_hub(_hasher().hash, password)


def check_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash``; ``None`` (no such account) spends the same
    time on the dummy hash and answers False."""
    try:
        matched = bool(off_the_hub(_hasher().verify, stored_hash or _dummy_hash(), password))
    except (VerificationError, InvalidHashError):
        return False
    return matched and stored_hash is not None
