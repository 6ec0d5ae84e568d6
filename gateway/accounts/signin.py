"""Signing in and refreshing: what the routes do, apart from HTTP.

A sign-in checks the lockout first, then the password (against a dummy hash when there is no
such account, so that both take the same time), counts a failure or clears the count, and
opens a session. The answer's access token has the claims of every token (``iss``, ``sub``,
``role``, ``exp``) and the session's ``sid``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from gateway.accounts.passwords import check_password
from gateway.accounts.rules import AccountsPolicy, stamp
from gateway.accounts.sessions import SessionStore
from gateway.accounts.store import AccountStore, Row, lockout_of, now_utc
from gateway.core.errors import ApiError
from gateway.core.tokens import issue_token
from shared.config import Settings
from shared.logging import get_logger

log = get_logger(__name__)


@dataclass
class AccountLockedError(Exception):
    """The account is locked until ``until``."""

    until: datetime

    def api_error(self) -> ApiError:
        return ApiError(
            "ACCOUNT_LOCKED",
            "too many failed sign-ins; the account is locked for a while",
            {"locked_until": stamp(self.until)},
        )

    def retry_after(self) -> str:
        return str(max(1, math.ceil((self.until - now_utc()).total_seconds())))


def check_credentials(
    store: AccountStore, policy: AccountsPolicy, username: str, password: str
) -> Row:
    """The account of a username and password, counting a failure; else INVALID_CREDENTIALS
    (or ``AccountLockedError`` while locked)."""
    account = store.by_username(username)
    if account is not None:
        lockout = lockout_of(account)
        if lockout.is_locked(now_utc()):
            assert lockout.locked_until is not None
            raise AccountLockedError(lockout.locked_until)
    if not check_password(None if account is None else account["password_hash"], password):
        if account is not None:
            store.record_failure(account, policy)
            log.info("accounts.sign_in_failed", account_id=account["account_id"])
        else:
            log.info("accounts.sign_in_failed", account_id=None)
        raise ApiError("INVALID_CREDENTIALS", "wrong username or password")
    assert account is not None
    store.record_success(account)
    return account


def sign_in(
    settings: Settings,
    policy: AccountsPolicy,
    stores: tuple[AccountStore, SessionStore],
    username: str,
    password: str,
) -> Row:
    """A new session of the account, as the sign-in route answers it."""
    accounts, sessions = stores
    account = check_credentials(accounts, policy, username, password)
    if account["status"] != "active":
        raise ApiError("ACCOUNT_DISABLED", "this account is disabled")
    session, refresh_token = sessions.open(account, now_utc() + policy.session_ttl)
    log.info("accounts.signed_in", account_id=account["account_id"], role=account["role"])
    return session_answer(settings, policy, session, refresh_token)


def session_answer(
    settings: Settings, policy: AccountsPolicy, session: Row, refresh_token: str
) -> Row:
    """An access token of ``session`` beside its newest refresh token."""
    ttl = policy.access_token_ttl_seconds
    return {
        "access_token": issue_token(
            settings, session["role"], session["subject"], ttl, session_id=session["session_id"]
        ),
        "token_type": "Bearer",
        "expires_in": ttl,
        "refresh_token": refresh_token,
        "session_id": session["session_id"],
        "session_expires_at": session["expires_at"],
        "account_id": session["account_id"],
        "role": session["role"],
        "subject_id": session["subject"],
    }
