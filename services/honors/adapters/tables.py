"""Honours' database: the event store plus the indexes the streams cannot answer, each
written in the command's own transaction, so they never disagree with the events.

``practice_index``: each placement's facts by student and campaign (who is eligible).
``certificate_index``: every certificate by serial, with its title, year and number (the
quota, the next number, one title per student and campaign). ``letter_index``: every
appointment letter (the next number, one active appointment per student and committee).
``diary_index``: every diary and whether it is featured (what a withdrawn consent takes out
of the showcase). Days are ISO text, which sorts as time does.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

practice_index = sa.Table(
    "practice_index",
    metadata,
    sa.Column("placement_id", sa.String(36), primary_key=True),
    sa.Column("student_id", sa.String(36), nullable=False),  # empty until agreed is heard
    sa.Column("campaign_id", sa.String(36), nullable=False),
    sa.Column("completed", sa.Boolean, nullable=False),
    sa.Column("score", sa.Integer, nullable=True),
    sa.Index("ix_practice_index_student_campaign", "student_id", "campaign_id"),
)

certificate_index = sa.Table(
    "certificate_index",
    metadata,
    sa.Column("serial", sa.String(24), primary_key=True),
    sa.Column("award_id", sa.String(36), nullable=False, unique=True),
    sa.Column("student_id", sa.String(36), nullable=False),
    sa.Column("campaign_id", sa.String(36), nullable=False),
    sa.Column("title_code", sa.String(8), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("revoked", sa.Boolean, nullable=False),
    sa.UniqueConstraint("title_code", "year", "number", name="uq_certificate_number"),
    sa.Index("ix_certificate_index_campaign_title", "campaign_id", "title_code"),
)

letter_index = sa.Table(
    "letter_index",
    metadata,
    sa.Column("serial", sa.String(24), primary_key=True),
    sa.Column("appointment_id", sa.String(36), nullable=False, unique=True),
    sa.Column("student_id", sa.String(36), nullable=False),
    sa.Column("committee", sa.String(400), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("term_ends_on", sa.String(10), nullable=False),
    sa.Column("ended", sa.Boolean, nullable=False),
    sa.UniqueConstraint("year", "number", name="uq_letter_number"),
    sa.Index("ix_letter_index_student", "student_id"),
)

diary_index = sa.Table(
    "diary_index",
    metadata,
    sa.Column("diary_id", sa.String(36), primary_key=True),
    sa.Column("student_id", sa.String(36), nullable=False),
    sa.Column("featured", sa.Boolean, nullable=False),
    sa.Index("ix_diary_index_student", "student_id"),
)
