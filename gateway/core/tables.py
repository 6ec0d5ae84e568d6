"""The gateway's own tables: idempotency keys and the read models' checkpoint (each section
keeps its read-model tables in its own folder, on this metadata)."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from shared.contracts.fields import PERSONAL_DATA

metadata = sa.MetaData()

# Column ``info`` of a read-model column holding personal data: answered only to those with
# the right, never printed by a replay's comparison.
PERSONAL: dict[str, object] = {PERSONAL_DATA: True}


def personal_columns(tables: Iterable[sa.Table]) -> frozenset[str]:
    """The names of the columns marked ``info=PERSONAL`` in ``tables``."""
    return frozenset(
        column.name
        for table in tables
        for column in table.columns
        if column.info.get(PERSONAL_DATA)
    )


# A POST's first outcome, keyed by who sent it and the key they chose; ``request_hash`` is a
# keyed hash of method, path and body (never the body itself: it may hold personal data).
idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("principal", sa.String(200), primary_key=True),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("status", sa.Integer, nullable=True),
    sa.Column("body", sa.Text, nullable=True),
    sa.Column("created_at", sa.String(32), nullable=False),
)

PROJECTION = "read_models"

# The last event-log position whose effects are in the read models; it commits with them.
checkpoint = sa.Table(
    "checkpoint",
    metadata,
    sa.Column("projection", sa.String(60), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
)
