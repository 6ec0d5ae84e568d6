"""Read-model tables of two-way selection and placements (revisions 0002 and 0003).

Dates are ISO ``YYYY-MM-DD`` text and timestamps canonical UTC text, as in the events.
Lists and small maps (rankings, confirmations, signed documents) are JSON columns: they are
always replaced whole, never patched, so a re-applied event lands on the same value.
"""

from __future__ import annotations

import sqlalchemy as sa

from gateway.core.tables import PERSONAL, metadata

TS = sa.String(32)
DAY = sa.String(10)
ID = sa.String(36)

# contact_person and contact_phone are personal data: only operators are answered with them.
host_units = sa.Table(
    "host_units",
    metadata,
    sa.Column("host_unit_id", ID, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("township", sa.Text, nullable=False),
    sa.Column("contact_person", sa.Text, nullable=False, info=PERSONAL),
    sa.Column("contact_phone", sa.Text, nullable=False, info=PERSONAL),
    sa.Column("registered_at", TS, nullable=False),
    sa.Index("ix_host_units_name", "name", "host_unit_id"),  # the list's order (revision 0008)
)

positions = sa.Table(
    "positions",
    metadata,
    sa.Column("position_id", ID, primary_key=True),
    sa.Column("host_unit_id", ID, nullable=False, index=True),
    sa.Column("campaign_id", ID, nullable=False, index=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("duties", sa.Text, nullable=False),
    sa.Column("capacity", sa.Integer, nullable=False),
    sa.Column("starts_on", DAY, nullable=False),
    sa.Column("ends_on", DAY, nullable=False),
    sa.Column("place", sa.Text, nullable=False),
    sa.Column("requirements", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("status_reason", sa.Text, nullable=True),
    # The host unit's own order of applicants and those it will not take; only it and
    # operators read them.
    sa.Column("applicant_ranking", sa.JSON, nullable=False),
    sa.Column("unacceptable", sa.JSON, nullable=False),
    sa.Column("posted_at", TS, nullable=False),
    sa.Column("updated_at", TS, nullable=False),
    sa.Index("ix_positions_campaign_posted", "campaign_id", "posted_at", "position_id"),  # 0009
)

selection_windows = sa.Table(
    "selection_windows",
    metadata,
    sa.Column("campaign_id", ID, primary_key=True),
    sa.Column("opens_at", TS, nullable=False),
    sa.Column("closes_at", TS, nullable=False),
    sa.Column("max_choices", sa.Integer, nullable=False),
)

# Students whom placement admitted to the two-way selection (from recruitment's screening).
candidates = sa.Table(
    "candidates",
    metadata,
    sa.Column("student_id", ID, primary_key=True),
    sa.Column("campaign_id", ID, nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("withdrawal_reason", sa.Text, nullable=True),
    sa.Column("updated_at", TS, nullable=False),
)

rankings = sa.Table(
    "rankings",
    metadata,
    sa.Column("student_id", ID, primary_key=True),
    sa.Column("campaign_id", ID, primary_key=True),
    sa.Column("position_ids", sa.JSON, nullable=False),
    sa.Column("submitted_at", TS, nullable=False),
)

# One row per (position, student who ranked it): the student's choice number there.
applicants = sa.Table(
    "applicants",
    metadata,
    sa.Column("position_id", ID, primary_key=True),
    sa.Column("student_id", ID, primary_key=True),
    sa.Column("campaign_id", ID, nullable=False, index=True),
    sa.Column("choice", sa.Integer, nullable=False),
)

matching_rounds = sa.Table(
    "matching_rounds",
    metadata,
    sa.Column("round_id", ID, primary_key=True),
    sa.Column("campaign_id", ID, nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("assignments", sa.JSON, nullable=False),
    sa.Column("unmatched", sa.JSON, nullable=False),
    sa.Column("unfilled", sa.JSON, nullable=False),
    sa.Column("blocking_pairs", sa.JSON, nullable=False),
    sa.Column("stable", sa.Boolean, nullable=False),
    sa.Column("proposed_at", TS, nullable=False),
    sa.Column("published_at", TS, nullable=True),
)

# The insured person's name is not kept: the gates need only that a policy exists.
placements = sa.Table(
    "placements",
    metadata,
    sa.Column("placement_id", ID, primary_key=True),
    sa.Column("campaign_id", ID, nullable=False, index=True),
    sa.Column("round_id", ID, nullable=True),
    sa.Column("student_id", ID, nullable=False, index=True),
    sa.Column("position_id", ID, nullable=False, index=True),
    sa.Column("host_unit_id", ID, nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("direct", sa.Boolean, nullable=False),
    # Why an operator placed the student directly (revision 0003); NULL otherwise.
    sa.Column("direct_reason", sa.Text, nullable=True),
    sa.Column("confirmed_by", sa.JSON, nullable=False),
    sa.Column("declined_by", sa.String(16), nullable=True),
    sa.Column("decline_reason", sa.Text, nullable=True),
    sa.Column("insurance", sa.JSON, nullable=True),
    sa.Column("training", sa.JSON, nullable=True),
    sa.Column("documents", sa.JSON, nullable=False),
    sa.Column("started_on", DAY, nullable=True),
    sa.Column("days_served", sa.Integer, nullable=True),
    sa.Column("hours_served", sa.Integer, nullable=True),
    sa.Column("evaluation_score", sa.Integer, nullable=True),
    sa.Column("evaluation_comment", sa.Text, nullable=True),
    sa.Column("feedback_rating", sa.Integer, nullable=True),
    sa.Column("feedback_suggestions", sa.Text, nullable=True),
    sa.Column("end_reason", sa.Text, nullable=True),
    sa.Column("offered_at", TS, nullable=True),
    sa.Column("agreed_at", TS, nullable=True),
    sa.Column("updated_at", TS, nullable=False),
)

# The documents students sign: each published version's text and hash (never changed).
documents = sa.Table(
    "published_documents",
    metadata,
    sa.Column("document_kind", sa.String(40), primary_key=True),
    sa.Column("version", sa.String(40), primary_key=True),
    sa.Column("content_hash", sa.String(71), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("published_at", TS, nullable=False),
)

TABLES = (
    documents,
    host_units,
    positions,
    selection_windows,
    candidates,
    rankings,
    applicants,
    matching_rounds,
    placements,
)
