"""accounts and sign-in: accounts, invitations, sessions, refresh tokens

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TS = sa.String(32)
ID = sa.String(36)
DIGEST = sa.String(64)


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("account_id", ID, primary_key=True),
        sa.Column("username", sa.String(40), nullable=False, unique=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("failed_sign_ins", sa.Integer, nullable=False),
        sa.Column("locked_until", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("password_changed_at", TS, nullable=False),
        sa.Column("disabled_at", TS, nullable=True),
    )
    op.create_table(
        "account_invitations",
        sa.Column("token_hash", DIGEST, primary_key=True),
        sa.Column("invitation_id", ID, nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(200), nullable=True),
        sa.Column("username", sa.String(40), nullable=True),
        sa.Column("invited_by", sa.String(220), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("accepted_at", TS, nullable=True),
        sa.Column("account_id", ID, nullable=True),
    )
    op.create_table(
        "account_sessions",
        sa.Column("session_id", ID, primary_key=True),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
        sa.Column("revoked_because", sa.String(32), nullable=True),
    )
    op.create_index("ix_account_sessions_account_id", "account_sessions", ["account_id"])
    op.create_table(
        "refresh_tokens",
        sa.Column("token_hash", DIGEST, primary_key=True),
        sa.Column("session_id", ID, nullable=False),
        sa.Column("issued_at", TS, nullable=False),
        sa.Column("rotated_at", TS, nullable=True),
    )
    op.create_index("ix_refresh_tokens_session_id", "refresh_tokens", ["session_id"])


def downgrade() -> None:
    op.drop_index("ix_refresh_tokens_session_id", table_name="refresh_tokens")
    op.drop_table("refresh_tokens")
    op.drop_index("ix_account_sessions_account_id", table_name="account_sessions")
    op.drop_table("account_sessions")
    op.drop_table("account_invitations")
    op.drop_table("accounts")
