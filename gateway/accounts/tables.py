"""The accounts' own tables in the gateway's database (migration 0007). They are not read
models: nothing in the event log rebuilds them, so a replay neither reads nor compares them.
Secrets (invitation and refresh tokens) are stored only as their SHA-256, passwords only as
Argon2id hashes."""

from __future__ import annotations

import sqlalchemy as sa

from gateway.core.tables import metadata

TS = sa.String(32)
ID = sa.String(36)
DIGEST = sa.String(64)

accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("account_id", ID, primary_key=True),
    sa.Column("username", sa.String(40), nullable=False, unique=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("subject", sa.String(200), nullable=False),  # the token's ``sub``
    sa.Column("status", sa.String(16), nullable=False),  # active | disabled
    sa.Column("failed_sign_ins", sa.Integer, nullable=False),
    sa.Column("locked_until", TS, nullable=True),
    sa.Column("created_at", TS, nullable=False),
    sa.Column("password_changed_at", TS, nullable=False),
    sa.Column("disabled_at", TS, nullable=True),
    sa.Index("ix_accounts_created", "created_at", "account_id"),  # the list's order (0009)
)

invitations = sa.Table(
    "account_invitations",
    metadata,
    sa.Column("token_hash", DIGEST, primary_key=True),
    sa.Column("invitation_id", ID, nullable=False, unique=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("subject", sa.String(200), nullable=True),  # none: the new account's own id
    sa.Column("username", sa.String(40), nullable=True),  # the one it must take, if set
    sa.Column("invited_by", sa.String(220), nullable=False),  # the operator's actor
    sa.Column("created_at", TS, nullable=False),
    sa.Column("expires_at", TS, nullable=False),
    sa.Column("accepted_at", TS, nullable=True),
    sa.Column("account_id", ID, nullable=True),
)

# A session is one sign-in: the family of its refresh tokens, and the ``sid`` of its access
# tokens. Closing it (sign-out, a reused refresh token, a new password, a disabled account)
# ends every token of it.
sessions = sa.Table(
    "account_sessions",
    metadata,
    sa.Column("session_id", ID, primary_key=True),
    sa.Column("account_id", ID, nullable=False, index=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("created_at", TS, nullable=False),
    sa.Column("expires_at", TS, nullable=False),
    sa.Column("revoked_at", TS, nullable=True),
    sa.Column("revoked_because", sa.String(32), nullable=True),
)

refresh_tokens = sa.Table(
    "refresh_tokens",
    metadata,
    sa.Column("token_hash", DIGEST, primary_key=True),
    sa.Column("session_id", ID, nullable=False, index=True),
    sa.Column("issued_at", TS, nullable=False),
    sa.Column("rotated_at", TS, nullable=True),  # used once: a second use closes the session
)
