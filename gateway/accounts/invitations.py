"""Invitations: an operator invites someone to make an account of a role; the one-time token
(kept only as its hash) works once, until it expires. Accepting it makes the account in the
same transaction that marks it used, so two acceptances at once make one account.

Issuing and accepting append ``InvitationIssued`` and ``InvitationAccepted`` (with the new
account's ``AccountCreated``) to the gateway's outbox in the same transaction (never the
token, not even its hash)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa

from gateway.accounts.cause import Cause, record
from gateway.accounts.rules import SUBJECT_ROLES, digest, new_secret, parse_stamp, stamp
from gateway.accounts.store import Row, insert_account, now_utc
from gateway.accounts.tables import invitations
from gateway.core.errors import ApiError
from gateway.core.section import ReadModelQueries
from shared.contracts.gateway.events import InvitationAccepted, InvitationIssued


class InvitationStore(ReadModelQueries):
    """Invitations in the gateway's own tables (not read models; see ``store.AccountStore``)."""

    def invite(
        self,
        role: str,
        subject: str | None,
        username: str | None,
        invited_by: str,
        ttl: timedelta,
        *,
        correlation_id: str | None = None,
    ) -> tuple[Row, str]:
        """A new invitation and its one-time token (kept only as its hash); ``invited_by`` is
        the inviting operator's actor."""
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
        issued = InvitationIssued(
            invitation_id=row["invitation_id"],
            role=role,
            subject_id=row["subject"],
            username=row["username"],
            expires_at=now + ttl,
        )
        with self._engine.begin() as connection:
            connection.execute(invitations.insert().values(**row))
            cause = Cause(invited_by, correlation_id)
            record(connection, issued, f"invitation-{row['invitation_id']}", cause)
        return row, token

    def accept(
        self, token: str, username: str, password: str, *, correlation_id: str | None = None
    ) -> Row:
        """The account the invitation makes; it works once, before it expires. Its events'
        actor is the new account (``<role>:<subject>``): the invitee acts."""
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
            invitation_id = invitation["invitation_id"]
            role, subject = invitation["role"], invitation["subject"]
            account_id = str(uuid.uuid4())
            cause = Cause(
                f"{role}:{subject or account_id}", correlation_id, "invitation", invitation_id
            )
            account = insert_account(
                connection, username, password, role, subject, cause=cause, account_id=account_id
            )
            taken = connection.execute(
                invitations.update()
                .where(invitations.c.token_hash == key, invitations.c.accepted_at.is_(None))
                .values(accepted_at=stamp(now), account_id=account["account_id"])
            ).rowcount
            if taken != 1:  # accepted at the same moment by another request
                raise ApiError("INVITATION_USED", "the invitation was accepted already")
            accepted = InvitationAccepted(invitation_id=invitation_id, account_id=account_id)
            record(connection, accepted, f"invitation-{invitation_id}", cause)
        return account
