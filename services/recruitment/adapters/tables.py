"""Recruitment's database: the event store plus the per-campaign ID-number index."""

from __future__ import annotations

import sqlalchemy as sa

from shared.eventstore.tables import metadata

registrations = sa.Table(
    "registrations",
    metadata,
    sa.Column("campaign_id", sa.String(36), primary_key=True),
    # HMAC-SHA256(lookup key, campaign_id:id_number) (shared/lookup_digest.py): enforces
    # uniqueness without storing the number in clear or in a guessable form.
    sa.Column("resident_id_digest", sa.String(64), primary_key=True),
    # Not unique here: a student's stream begins once in the event store (migration 0005).
    sa.Column("student_id", sa.String(36), nullable=False),
    # hmac-sha256; sha256 for a row made before the key, until it is re-keyed.
    sa.Column("digest_scheme", sa.String(16), nullable=False, server_default="sha256"),
    # On SQLite the primary key's B-tree holds the rows: one B-tree written per registration.
    sqlite_with_rowid=False,
)
