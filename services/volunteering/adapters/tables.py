"""Volunteering's database: the event store plus two indexes the streams cannot answer.

``sign_up_index`` holds each student's sign-ups that still hold a seat, with their times:
which of a student's activities overlap a window, which are still to come in a campaign.
``hours_index`` holds every hours entry's minutes and status: how many minutes count for a
student at an activity. Both are written in the command's own transaction, so they never
disagree with the events. Times are canonical UTC text, which sorts as time does.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

sign_up_index = sa.Table(
    "sign_up_index",
    metadata,
    sa.Column("activity_id", sa.String(36), primary_key=True),
    sa.Column("student_id", sa.String(36), primary_key=True),
    sa.Column("campaign_id", sa.String(36), nullable=False),
    sa.Column("starts_at", sa.String(32), nullable=False),
    sa.Column("ends_at", sa.String(32), nullable=False),
    sa.Index("ix_sign_up_index_student_starts_at", "student_id", "starts_at"),
)

hours_index = sa.Table(
    "hours_index",
    metadata,
    sa.Column("hours_id", sa.String(36), primary_key=True),
    sa.Column("activity_id", sa.String(36), nullable=False),
    sa.Column("student_id", sa.String(36), nullable=False),
    sa.Column("minutes", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Index("ix_hours_index_activity_student", "activity_id", "student_id"),
)
