"""Volunteering's read-model tables (revision 0005): activities, their sign-ups, and hours.

Timestamps are canonical UTC text, as in the events. Seats taken are counted from the
sign-ups rather than kept as a counter, so that re-applying an event never counts it twice.
Beneficiaries are counts only: no column can hold a child's or a resident's name.
"""

from __future__ import annotations

import sqlalchemy as sa

from gateway.core.tables import PERSONAL, metadata

TS = sa.String(32)
ID = sa.String(36)

# The coordinator's name is personal data: answered to operators and the activity's own host
# unit only, never logged.
activities = sa.Table(
    "activities",
    metadata,
    sa.Column("activity_id", ID, primary_key=True),
    sa.Column("campaign_id", ID, nullable=False, index=True),
    sa.Column("host_unit_id", ID, nullable=True, index=True),  # NULL: the committee runs it
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("subject", sa.String(20), nullable=True),  # classrooms only
    sa.Column("topic", sa.String(30), nullable=True),  # safety talks only
    sa.Column("place", sa.Text, nullable=False),
    sa.Column("starts_at", TS, nullable=False),
    sa.Column("ends_at", TS, nullable=False),
    sa.Column("capacity", sa.Integer, nullable=False),
    sa.Column("coordinator", sa.Text, nullable=False, info=PERSONAL),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("cancellation_reason", sa.Text, nullable=True),
    sa.Column("reschedule_reason", sa.Text, nullable=True),
    # NULL until the coordinator reports them; a later report replaces an earlier one.
    sa.Column("children", sa.Integer, nullable=True),
    sa.Column("residents", sa.Integer, nullable=True),
    sa.Column("sessions", sa.Integer, nullable=True),
    sa.Column("beneficiaries_reported_at", TS, nullable=True),
    sa.Column("scheduled_at", TS, nullable=False),
    sa.Column("updated_at", TS, nullable=False),
    # The list's orders (revision 0009).
    sa.Index("ix_activities_starts", "starts_at", "activity_id"),
    sa.Index("ix_activities_scheduled", "scheduled_at", "activity_id"),
)

# One row per student and activity: signed_up (holds a seat), withdrawn, no_show, or released
# (the activity was cancelled).
sign_ups = sa.Table(
    "activity_sign_ups",
    metadata,
    sa.Column("activity_id", ID, primary_key=True),
    sa.Column("student_id", ID, primary_key=True, index=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("signed_up_at", TS, nullable=False),
    sa.Column("updated_at", TS, nullable=False),
)

# Hours in minutes, as the events carry them; a correction keeps the figure it replaced.
hours = sa.Table(
    "volunteer_hours",
    metadata,
    sa.Column("hours_id", ID, primary_key=True),
    sa.Column("activity_id", ID, nullable=False, index=True),
    sa.Column("student_id", ID, nullable=False, index=True),
    sa.Column("campaign_id", ID, nullable=False, index=True),
    sa.Column("minutes", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("decline_reason", sa.Text, nullable=True),
    sa.Column("previous_minutes", sa.Integer, nullable=True),
    sa.Column("correction_reason", sa.Text, nullable=True),
    sa.Column("logged_at", TS, nullable=False),
    sa.Column("decided_at", TS, nullable=True),
    sa.Column("corrected_at", TS, nullable=True),
    sa.Column("updated_at", TS, nullable=False),
    sa.Index("ix_volunteer_hours_logged", "logged_at", "hours_id"),  # the list's order (0009)
)

TABLES = (activities, sign_ups, hours)
