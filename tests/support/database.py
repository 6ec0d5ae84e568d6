"""A test's look into a component's database: its row counts."""

from __future__ import annotations

import sqlalchemy as sa


def count_rows(engine: sa.Engine, table: sa.Table) -> int:
    """How many rows a table holds, as committed."""
    with engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
