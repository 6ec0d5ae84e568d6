"""Recruitment's database: the event store plus the per-campaign ID-number index."""

from __future__ import annotations

import sqlalchemy as sa

from shared.eventstore.tables import metadata

registrations = sa.Table(
    "registrations",
    metadata,
    sa.Column("campaign_id", sa.String(36), primary_key=True),
    # sha256(campaign_id:id_number): enforces uniqueness without storing the number in clear.
    sa.Column("resident_id_digest", sa.String(64), primary_key=True),
    sa.Column("student_id", sa.String(36), nullable=False, unique=True),
)
