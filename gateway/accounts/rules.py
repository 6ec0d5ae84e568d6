"""The rules of sign-in, apart from storage: the configured policy, lockout after repeated
failures, and the one-time secrets (invitations, refresh tokens) that are kept only hashed."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from shared.config import ConfigError, Settings

ROLES = ("operator", "host_unit", "auditor", "student")
# Roles whose token subject is a record of the read models (else it is the account's own id).
SUBJECT_ROLES = ("host_unit", "student")
SECRET_BYTES = 32
SECRET_PATTERN = r"^[A-Za-z0-9_-]{43}$"  # noqa: S105 - a pattern, what ``new_secret`` makes
STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"


@dataclass(frozen=True)
class AccountsPolicy:
    """``accounts:`` of the configuration (defaults in ``shared/default_config.yaml``)."""

    invitation_ttl: timedelta = timedelta(hours=72)
    access_token_ttl_seconds: int = 900
    session_ttl: timedelta = timedelta(days=14)
    lockout_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)
    sign_in_per_minute_per_address: float = 20.0
    sign_in_per_minute_per_account: float = 10.0

    @classmethod
    def from_settings(cls, settings: Settings) -> AccountsPolicy:
        raw, default = settings.accounts, cls()

        def number(key: str, fallback: float) -> float:
            value = raw.get(key)
            try:
                found = fallback if value in (None, "") else float(value)
            except (TypeError, ValueError):
                raise ConfigError(f"accounts.{key} must be a number") from None
            if found <= 0:
                raise ConfigError(f"accounts.{key} must be positive")
            return found

        access = int(number("access_token_ttl_seconds", default.access_token_ttl_seconds))
        if access > settings.jwt_max_ttl_seconds:
            raise ConfigError("accounts.access_token_ttl_seconds exceeds the longest token life")
        return cls(
            invitation_ttl=timedelta(hours=number("invitation_ttl_hours", 72)),
            access_token_ttl_seconds=access,
            session_ttl=timedelta(hours=number("session_ttl_hours", 14 * 24)),
            lockout_failures=int(number("lockout_failures", default.lockout_failures)),
            lockout=timedelta(minutes=number("lockout_minutes", 15)),
            sign_in_per_minute_per_address=number(
                "sign_in_per_minute_per_address", default.sign_in_per_minute_per_address
            ),
            sign_in_per_minute_per_account=number(
                "sign_in_per_minute_per_account", default.sign_in_per_minute_per_account
            ),
        )


@dataclass(frozen=True)
class Lockout:
    """An account's failed sign-ins in a row, and until when it is locked (if it is)."""

    failures: int = 0
    locked_until: datetime | None = None

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def after_failure(self, policy: AccountsPolicy, now: datetime) -> Lockout:
        """One more failure: the N-th in a row locks the account and starts the count anew."""
        failures = (0 if self.locked_until is not None else self.failures) + 1
        if failures >= policy.lockout_failures:
            return Lockout(0, now + policy.lockout)
        return Lockout(failures, None)

    @staticmethod
    def after_success() -> Lockout:
        return Lockout()


def new_secret() -> str:
    """A one-time secret to hand out (an invitation, a refresh token): 256 random bits."""
    return secrets.token_urlsafe(SECRET_BYTES)


def digest(secret: str) -> str:
    """What is stored in place of a secret: its SHA-256 (the secret is random, so no salt or
    slow hash is needed; a leaked table yields nothing usable)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def stamp(moment: datetime) -> str:
    """A UTC timestamp as stored and answered: ``YYYY-MM-DDTHH:MM:SS.ffffffZ``."""
    return moment.astimezone(UTC).strftime(STAMP)


def parse_stamp(text: str) -> datetime:
    return datetime.strptime(text, STAMP).replace(tzinfo=UTC)
