"""Placement's database: the event store plus the indexes the streams cannot answer.

The indexes list a campaign's positions and candidates, and say which placement holds which
seat. They are written in the command's own transaction, so they never disagree with the
events; their unique keys refuse two placements racing for one seat or one student.
``registered_names`` is different: what recruitment told placement (its StudentRegistered
events), kept to check that an insurance policy names the placed student. It holds personal
data, sealed as recruitment sent it (``sealed_in``: that event's id), and is never logged or
published.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

position_index = sa.Table(
    "position_index",
    metadata,
    sa.Column("position_id", sa.String(36), primary_key=True),
    sa.Column("campaign_id", sa.String(36), nullable=False, index=True),
    sa.Column("host_unit_id", sa.String(36), nullable=False),
)

candidate_index = sa.Table(
    "candidate_index",
    metadata,
    sa.Column("student_id", sa.String(36), primary_key=True),
    sa.Column("campaign_id", sa.String(36), nullable=False, index=True),
)

placement_index = sa.Table(
    "placement_index",
    metadata,
    sa.Column("placement_id", sa.String(36), primary_key=True),
    sa.Column("campaign_id", sa.String(36), nullable=False, index=True),
    sa.Column("position_id", sa.String(36), nullable=False, index=True),
    sa.Column("student_id", sa.String(36), nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False),
    # Both are NULL once the placement no longer holds its seat (declined or ended).
    sa.Column("seat_number", sa.Integer, nullable=True),
    sa.Column("holder", sa.String(36), nullable=True, unique=True),
    sa.UniqueConstraint("position_id", "seat_number", name="uq_placement_index_seat"),
)

registered_names = sa.Table(
    "registered_names",
    metadata,
    sa.Column("student_id", sa.String(36), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("sealed_in", sa.String(36), nullable=True),
)
