"""Honours' read-model tables (revision 0006): titles, awards with their certificates,
appointments with their letters, consents, recommendations, diaries.

Timestamps are canonical UTC text and days ``YYYY-MM-DD``, as in the events. A holder's name
and a diary's display name are personal data: answered to operators and the student only
(and, masked, by the public verification of a serial), never logged.
"""

from __future__ import annotations

import sqlalchemy as sa

from gateway.core.tables import PERSONAL, metadata

TS = sa.String(32)
DAY = sa.String(10)
ID = sa.String(36)
SERIAL = sa.String(20)

titles = sa.Table(
    "honour_titles",
    metadata,
    sa.Column("title_code", sa.String(8), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("quota", sa.Integer, nullable=False),
    sa.Column("minimum_score", sa.Integer, nullable=False),
    sa.Column("defined_at", TS, nullable=False),
)

# nominated -> granted (serial, certificate) -> revoked; the title's name arrives with the
# certificate.
awards = sa.Table(
    "honour_awards",
    metadata,
    sa.Column("award_id", ID, primary_key=True),
    sa.Column("student_id", ID, nullable=False, index=True),
    sa.Column("campaign_id", ID, nullable=False, index=True),
    sa.Column("title_code", sa.String(8), nullable=False),
    sa.Column("title_name", sa.Text, nullable=True),
    sa.Column("citation", sa.Text, nullable=False),
    sa.Column("holder_name", sa.Text, nullable=False, info=PERSONAL),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("serial", SERIAL, nullable=True, index=True),
    sa.Column("issued_at", TS, nullable=True),
    sa.Column("revoked_at", TS, nullable=True),
    sa.Column("revocation_reason", sa.Text, nullable=True),
    sa.Column("nominated_at", TS, nullable=False),
    sa.Column("updated_at", TS, nullable=False),
    sa.Index("ix_honour_awards_nominated", "nominated_at", "award_id"),  # the list's (0009)
)

# active -> term_ended | dismissed, as recorded (a term past its last day without an event
# is still "active" here; the service decides).
appointments = sa.Table(
    "honour_appointments",
    metadata,
    sa.Column("appointment_id", ID, primary_key=True),
    sa.Column("serial", SERIAL, nullable=False, index=True),
    sa.Column("student_id", ID, nullable=False, index=True),
    sa.Column("campaign_id", ID, nullable=False, index=True),
    sa.Column("committee", sa.Text, nullable=False),
    sa.Column("term_starts_on", DAY, nullable=False),
    sa.Column("term_ends_on", DAY, nullable=False),
    sa.Column("holder_name", sa.Text, nullable=False, info=PERSONAL),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("ended_on", DAY, nullable=True),
    sa.Column("end_reason", sa.Text, nullable=True),
    sa.Column("issued_at", TS, nullable=False),
    sa.Column("updated_at", TS, nullable=False),
    sa.Index("ix_honour_appointments_issued", "issued_at", "appointment_id"),  # list (0009)
)

consents = sa.Table(
    "honour_consents",
    metadata,
    sa.Column("student_id", ID, primary_key=True),
    sa.Column("purpose", sa.String(20), primary_key=True),
    sa.Column("given", sa.Boolean, nullable=False),
    sa.Column("updated_at", TS, nullable=False),
)

recommendations = sa.Table(
    "honour_recommendations",
    metadata,
    sa.Column("recommendation_id", ID, primary_key=True),
    sa.Column("student_id", ID, nullable=False, index=True),
    sa.Column("campaign_id", ID, nullable=False, index=True),
    sa.Column("university", sa.Text, nullable=False),
    sa.Column("transcript_hash", sa.String(71), nullable=False),
    sa.Column("sent_at", TS, nullable=False),
)

diaries = sa.Table(
    "practice_diaries",
    metadata,
    sa.Column("diary_id", ID, primary_key=True),
    sa.Column("student_id", ID, nullable=False, index=True),
    sa.Column("campaign_id", ID, nullable=False, index=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("display_name", sa.Text, nullable=False, info=PERSONAL),
    sa.Column("featured", sa.Boolean, nullable=False),
    sa.Column("featured_at", TS, nullable=True),
    sa.Column("unfeatured_reason", sa.Text, nullable=True),
    sa.Column("submitted_at", TS, nullable=False),
    sa.Column("updated_at", TS, nullable=False),
)

TABLES = (titles, awards, appointments, consents, recommendations, diaries)
