"""Recruitment's read-model tables: campaigns and students.

Timestamps are canonical UTC text, as in the events they come from.
"""

from __future__ import annotations

import sqlalchemy as sa

from gateway.core.tables import PERSONAL, metadata

campaigns = sa.Table(
    "campaigns",
    metadata,
    sa.Column("campaign_id", sa.String(36), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("season", sa.Text, nullable=False),
    sa.Column("registration_opens_at", sa.String(32), nullable=False),
    sa.Column("registration_closes_at", sa.String(32), nullable=False),
    sa.Column("scope", sa.Text, nullable=False),
    sa.Column("practice_content", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("updated_at", sa.String(32), nullable=False),
)

# Holds personal data (name, phone, id_number): the gateway answers the student and
# operators from here, and never logs these columns.
students = sa.Table(
    "students",
    metadata,
    sa.Column("student_id", sa.String(36), primary_key=True),
    sa.Column("campaign_id", sa.String(36), nullable=False, index=True),
    sa.Column("name", sa.Text, nullable=False, info=PERSONAL),
    sa.Column("phone", sa.Text, nullable=False, info=PERSONAL),
    sa.Column("id_number", sa.Text, nullable=False, info=PERSONAL),
    sa.Column("university", sa.Text, nullable=False),
    sa.Column("major", sa.Text, nullable=False),
    sa.Column("grade", sa.Text, nullable=False),
    sa.Column("hometown", sa.Text, nullable=False),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("screening_decision", sa.String(16), nullable=True),
    sa.Column("screening_reason", sa.Text, nullable=True),
    sa.Column("screened_at", sa.String(32), nullable=True),
    sa.Column("withdrawal_reason", sa.Text, nullable=True),
    sa.Column("in_alliance", sa.Boolean, nullable=False),
    sa.Column("registered_at", sa.String(32), nullable=False),
    sa.Column("updated_at", sa.String(32), nullable=False),
    # A campaign's students page in registration order (revision 0008).
    sa.Index("ix_students_campaign_registered", "campaign_id", "registered_at", "student_id"),
)

TABLES = (campaigns, students)
