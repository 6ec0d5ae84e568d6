"""Invitations: an operator invites someone to make an account of a role; the one-time token
(kept only as its hash) works once, until it expires. Accepting it makes the account in the
same transaction that marks it used, so two acceptances at once make one account."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa

from gateway.accounts.rules import SUBJECT_ROLES, digest, new_secret, parse_stamp, stamp
from gateway.accounts.store import Row, insert_account, now_utc
from gateway.accounts.tables import invitations
from gateway.core.errors import ApiError
from gateway.core.section import ReadModelQueries


class InvitationStore(ReadModelQueries):
    """Invitations in the gateway's own tables (not read models; see ``store.AccountStore``)."""

    def invite(
        self, role: str, subject: str | None, username: str | None, invited_by: str, ttl: timedelta
    ) -> tuple[Row, str]:
        """A new invitation and its one-time token (kept only as its hash)."""
        token, now = new_secret(), now_utc()
        row: Row = {
            "token_hash": digest(token),
            "invitation_id": str(uuid.uuid4()),
            "role": role,
            "subject": subject if role in SUBJECT_ROLES else None,
            "username": username.lower() if username else None,
            "invited_by": invited_by,
            "created_at": stamp(now),
            "expires_at": stamp(now + ttl),
            "accepted_at": None,
            "account_id": None,
        }
        with self._engine.begin() as connection:
            connection.execute(invitations.insert().values(**row))
        return row, token

    def accept(self, token: str, username: str, password: str) -> Row:
        """The account the invitation makes; it works once, before it expires."""
        key, now = digest(token), now_utc()
        with self._engine.begin() as connection:
            found = connection.execute(
                sa.select(invitations).where(invitations.c.token_hash == key)
            ).first()
            if found is None:
                raise ApiError("INVITATION_NOT_FOUND", "no invitation has this token")
            invitation = dict(found._mapping)
            if invitation["accepted_at"] is not None:
                raise ApiError("INVITATION_USED", "the invitation was accepted already")
            if parse_stamp(invitation["expires_at"]) <= now:
                raise ApiError("INVITATION_EXPIRED", "the invitation expired")
            wanted = invitation["username"]
            if wanted and wanted != username.lower():
                raise ApiError(
                    "VALIDATION_FAILED",
                    "the invitation is for another username",
                    {"fields": {"username": ["must be the invited username"]}},
                )
            account = insert_account(
                connection, username, password, invitation["role"], invitation["subject"]
            )
            taken = connection.execute(
                invitations.update()
                .where(invitations.c.token_hash == key, invitations.c.accepted_at.is_(None))
                .values(accepted_at=stamp(now), account_id=account["account_id"])
            ).rowcount
            if taken != 1:  # accepted at the same moment by another request
                raise ApiError("INVITATION_USED", "the invitation was accepted already")
        return account
