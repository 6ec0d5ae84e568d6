"""Accounts in the gateway's database.

These are the gateway's own tables, not read models: this class writes them, on the
gateway's engine like a section's reads (it is built where they are). Every change is one
transaction; a username taken meanwhile answers USERNAME_TAKEN, an invitation accepted
twice at once is accepted once. Each change appends its event (``AccountCreated``,
``PasswordChanged``, ``AccountDisabled``: no password, hash or token) to the gateway's outbox in
that same transaction (``gateway.trail``), so the event log has every change exactly once.

(A little over 200 lines: each change, its sessions and its event share one transaction, and
the compare-and-set of the failure count belongs beside them.)
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from gateway.accounts.cause import Cause, record
from gateway.accounts.passwords import hash_password, password_weaknesses
from gateway.accounts.rules import (
    AccountsPolicy,
    Lockout,
    parse_stamp,
    stamp,
)
from gateway.accounts.tables import accounts, sessions
from gateway.core.errors import ApiError
from gateway.core.section import ReadModelQueries
from shared.contracts.gateway.events import AccountCreated, AccountDisabled, PasswordChanged

Row = dict[str, Any]
ATTEMPTS = 5  # compare-and-set retries of a failure count under concurrent sign-ins


def now_utc() -> datetime:
    return datetime.now(UTC)


def check_strength(password: str, username: str) -> None:
    """WEAK_PASSWORD (422) with the reasons, unless ``password`` is strong enough."""
    reasons = password_weaknesses(password, username)
    if reasons:
        raise ApiError("WEAK_PASSWORD", "the password is too weak", {"reasons": reasons})


def account_view(row: Row) -> Row:
    """What an answer shows of an account (never its hash or failure count)."""
    return {
        "account_id": row["account_id"],
        "username": row["username"],
        "role": row["role"],
        "subject_id": row["subject"],
        "status": row["status"],
        "created_at": row["created_at"],
    }


class AccountStore(ReadModelQueries):
    """Accounts: create, find, count failed sign-ins, disable, change a password."""

    def account(self, account_id: str) -> Row | None:
        return self._one(sa.select(accounts).where(accounts.c.account_id == account_id))

    def by_username(self, username: str) -> Row | None:
        return self._one(sa.select(accounts).where(accounts.c.username == username.lower()))

    def create_account(
        self, username: str, password: str, role: str, subject: str | None = None, *, cause: Cause
    ) -> Row:
        """A new active account; an operator's or auditor's subject is its own id. The
        ``cause`` names who made it and its origin (``self_registration``, ``command_line``;
        an invitation's account is made by ``InvitationStore.accept``)."""
        with self._engine.begin() as connection:
            return insert_account(connection, username, password, role, subject, cause=cause)

    def record_failure(self, account: Row, policy: AccountsPolicy) -> Lockout:
        """Count one failed sign-in; the N-th in a row locks the account. Compare-and-set, so
        that concurrent failures all count."""
        current = account
        for _ in range(ATTEMPTS):
            after = lockout_of(current).after_failure(policy, now_utc())
            locked = None if after.locked_until is None else stamp(after.locked_until)
            with self._engine.begin() as connection:
                changed = connection.execute(
                    accounts.update()
                    .where(
                        accounts.c.account_id == current["account_id"],
                        accounts.c.failed_sign_ins == current["failed_sign_ins"],
                        _same(accounts.c.locked_until, current["locked_until"]),
                    )
                    .values(failed_sign_ins=after.failures, locked_until=locked)
                ).rowcount
            if changed == 1:
                return after
            current = self.account(current["account_id"]) or current
        return lockout_of(current)

    def record_success(self, account: Row) -> None:
        """A successful sign-in ends the count of failures."""
        if account["failed_sign_ins"] or account["locked_until"]:
            with self._engine.begin() as connection:
                connection.execute(
                    accounts.update()
                    .where(accounts.c.account_id == account["account_id"])
                    .values(failed_sign_ins=0, locked_until=None)
                )

    def change_password(self, account: Row, new_password: str, cause: Cause) -> tuple[str, int]:
        """Set a new password and close every session of the account: (when, how many)."""
        check_strength(new_password, account["username"])
        now = stamp(now_utc())
        account_id = account["account_id"]
        with self._engine.begin() as connection:
            connection.execute(
                accounts.update()
                .where(accounts.c.account_id == account_id)
                .values(password_hash=hash_password(new_password), password_changed_at=now)
            )
            closed = _close_sessions(connection, account_id, now, "password_changed")
            changed = PasswordChanged(account_id=account_id, sessions_closed=closed)
            record(connection, changed, f"account-{account_id}", cause)
        return now, closed

    def disable(self, account_id: str, cause: Cause) -> Row | None:
        """Disable an account and close its sessions; None if there is no such account. Only
        the change from active to disabled is recorded (disabling it again records nothing)."""
        now = stamp(now_utc())
        with self._engine.begin() as connection:
            changed = connection.execute(
                accounts.update()
                .where(accounts.c.account_id == account_id, accounts.c.status == "active")
                .values(status="disabled", disabled_at=now)
            ).rowcount
            if changed:
                closed = _close_sessions(connection, account_id, now, "account_disabled")
                disabled = AccountDisabled(account_id=account_id, sessions_closed=closed)
                record(connection, disabled, f"account-{account_id}", cause)
        return self.account(account_id)

    def _one(self, query: sa.Select[Any]) -> Row | None:
        with self._engine.connect() as connection:
            found = connection.execute(query).first()
        return None if found is None else dict(found._mapping)


def insert_account(
    connection: sa.Connection,
    username: str,
    password: str,
    role: str,
    subject: str | None,
    *,
    cause: Cause,
    account_id: str | None = None,
) -> Row:
    """Insert a new active account and record ``AccountCreated`` in ``connection``'s
    transaction; USERNAME_TAKEN or WEAK_PASSWORD write nothing."""
    username = username.lower()
    check_strength(password, username)
    account_id, now = account_id or str(uuid.uuid4()), stamp(now_utc())
    row: Row = {
        "account_id": account_id,
        "username": username,
        "password_hash": hash_password(password),
        "role": role,
        "subject": subject or account_id,
        "status": "active",
        "failed_sign_ins": 0,
        "locked_until": None,
        "created_at": now,
        "password_changed_at": now,
        "disabled_at": None,
    }
    taken = connection.execute(
        sa.select(accounts.c.account_id).where(accounts.c.username == username)
    ).first()
    if taken is not None:
        raise ApiError("USERNAME_TAKEN", "another account has this username")
    try:
        with connection.begin_nested():
            connection.execute(accounts.insert().values(**row))
    except sa.exc.IntegrityError:
        raise ApiError("USERNAME_TAKEN", "another account has this username") from None
    created = AccountCreated(
        account_id=account_id,
        username=username,
        role=role,
        subject_id=row["subject"],
        origin=cause.origin,
        invitation_id=cause.invitation_id,
    )
    record(connection, created, f"account-{account_id}", cause)
    return row


def lockout_of(account: Row) -> Lockout:
    locked = account["locked_until"]
    return Lockout(account["failed_sign_ins"], None if locked is None else parse_stamp(locked))


def _same(column: sa.Column[Any], value: object) -> sa.ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


def _close_sessions(connection: sa.Connection, account_id: str, now: str, because: str) -> int:
    closed: int = connection.execute(
        sessions.update()
        .where(sessions.c.account_id == account_id, sessions.c.revoked_at.is_(None))
        .values(revoked_at=now, revoked_because=because)
    ).rowcount
    return closed
