"""Sessions and their refresh tokens.

A session is one sign-in. Its access tokens carry its id (``sid``) and are checked against it
on every request (one primary-key read), so that closing it ends them at once. Its refresh
tokens form one family: each is used once and replaced by the next; a token used a second
time means that someone holds a copy, so the whole session is closed (whoever presents the
newer token must sign in again, too).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from gateway.accounts.rules import digest, new_secret, parse_stamp, stamp
from gateway.accounts.store import Row, now_utc
from gateway.accounts.tables import refresh_tokens, sessions
from gateway.core.errors import ApiError
from gateway.core.section import ReadModelQueries
from gateway.core.tokens import Principal
from shared.logging import get_logger

log = get_logger(__name__)


def refused() -> ApiError:
    return ApiError("REFRESH_TOKEN_INVALID", "the refresh token is not valid; sign in again")


class SessionStore(ReadModelQueries):
    """Sessions in the gateway's own tables (not read models; see ``store.AccountStore``)."""

    def open(self, account: Row, expires_at: datetime) -> tuple[Row, str]:
        """A new session of ``account`` until ``expires_at``, and its first refresh token."""
        now = stamp(now_utc())
        session: Row = {
            "session_id": str(uuid.uuid4()),
            "account_id": account["account_id"],
            "role": account["role"],
            "subject": account["subject"],
            "created_at": now,
            "expires_at": stamp(expires_at),
            "revoked_at": None,
            "revoked_because": None,
        }
        token = new_secret()
        with self._engine.begin() as connection:
            connection.execute(sessions.insert().values(**session))
            connection.execute(
                refresh_tokens.insert().values(
                    token_hash=digest(token), session_id=session["session_id"], issued_at=now
                )
            )
        return session, token

    def is_open(self, principal: Principal) -> bool:
        """Whether the token's session is open, for the token's subject and role."""
        with self._reading() as connection:
            found = connection.execute(
                sa.select(
                    sessions.c.role,
                    sessions.c.subject,
                    sessions.c.expires_at,
                    sessions.c.revoked_at,
                ).where(sessions.c.session_id == principal.session_id)
            ).first()
        return (
            found is not None
            and found.revoked_at is None
            and (found.role, found.subject) == (principal.role, principal.subject)
            and parse_stamp(found.expires_at) > now_utc()
        )

    def rotate(self, refresh_token: str) -> tuple[Row, str]:
        """The session of an unused refresh token, and the token that replaces it.

        A used one closes its session (reuse); an unknown one, or one of a closed or expired
        session, is refused alike.
        """
        key, now = digest(refresh_token), now_utc()
        with self._engine.begin() as connection:
            found = connection.execute(
                sa.select(refresh_tokens.c.rotated_at, sessions)
                .join(sessions, sessions.c.session_id == refresh_tokens.c.session_id)
                .where(refresh_tokens.c.token_hash == key)
            ).first()
            if found is None:
                raise refused()
            session = {column.name: getattr(found, column.name) for column in sessions.columns}
            if session["revoked_at"] is not None or parse_stamp(session["expires_at"]) <= now:
                raise refused()
            used = connection.execute(
                refresh_tokens.update()
                .where(refresh_tokens.c.token_hash == key, refresh_tokens.c.rotated_at.is_(None))
                .values(rotated_at=stamp(now))
            ).rowcount
            if found.rotated_at is None and used == 1:
                token = new_secret()
                connection.execute(
                    refresh_tokens.insert().values(
                        token_hash=digest(token),
                        session_id=session["session_id"],
                        issued_at=stamp(now),
                    )
                )
                return session, token
        self.close(session["session_id"], "refresh_token_reused")
        log.warning("accounts.refresh_token_reused", session_id=session["session_id"])
        raise refused()

    def close(self, session_id: str, because: str) -> Row | None:
        """Close a session (no-op if closed already); the session, or None if unknown."""
        with self._engine.begin() as connection:
            connection.execute(
                sessions.update()
                .where(sessions.c.session_id == session_id, sessions.c.revoked_at.is_(None))
                .values(revoked_at=stamp(now_utc()), revoked_because=because)
            )
            found = connection.execute(
                sa.select(sessions).where(sessions.c.session_id == session_id)
            ).first()
        return None if found is None else dict(found._mapping)

    def session(self, session_id: str) -> Row | None:
        with self._reading() as connection:
            found: Any = connection.execute(
                sa.select(sessions).where(sessions.c.session_id == session_id)
            ).first()
        return None if found is None else dict(found._mapping)
