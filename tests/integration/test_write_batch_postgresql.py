"""On PostgreSQL, writes recorded by a ``WriteBatch`` go out as one round trip per group and
end in the same rows as the same writes sent one by one (``tests/unit/test_write_batch.py``
checks the same on SQLite)."""

from __future__ import annotations

from typing import Any, cast

import psycopg2.extensions
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gateway.core.projection import replace_row, set_row
from gateway.core.write_batch import WriteBatch
from tests.unit.test_write_batch import metadata, people, rows, run, writes


class CountingCursor(psycopg2.extensions.cursor):  # type: ignore[misc]
    """Counts the round trips a cursor makes (``executemany`` is one per row)."""

    trips = 0

    def execute(self, query: Any, vars: Any = None) -> Any:
        CountingCursor.trips += 1
        return super().execute(query, vars)

    def executemany(self, query: Any, vars_list: Any) -> Any:
        vars_list = list(vars_list)
        CountingCursor.trips += len(vars_list)
        return super().executemany(query, vars_list)


def test_grouped_writes_end_in_the_rows_of_writes_one_by_one(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    metadata.create_all(engine)
    try:
        for seed in range(3):
            steps = writes(seed)
            ends = []
            for grouped in (False, True):
                with engine.begin() as connection:
                    for table in reversed(metadata.sorted_tables):
                        connection.execute(table.delete())
                    batch = WriteBatch(connection)
                    seen = run(cast(Connection, batch) if grouped else connection, steps)
                    batch.flush()
                ends.append((rows(engine), seen))
            assert ends[1] == ends[0]
    finally:
        engine.dispose()


def test_writes_of_many_rows_go_out_in_a_few_round_trips(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url, connect_args={"cursor_factory": CountingCursor})
    metadata.create_all(engine)
    try:
        with engine.begin() as connection:
            batch = WriteBatch(connection)
            for n in range(200):
                row = {"person_id": f"p{n}", "group_id": "g", "status": "new", "note": ""}
                replace_row(cast(Connection, batch), people, "person_id", row)
            for n in range(200):
                set_row(cast(Connection, batch), people, "person_id", f"p{n}", status="seen")
            CountingCursor.trips = 0
            batch.flush()
            trips = CountingCursor.trips
        assert trips == 3  # the deletes, the inserts (multi-row VALUES), the updates
        assert {row.status for row in rows(engine)[0]} == {"seen"}
        assert len(rows(engine)[0]) == 200
    finally:
        engine.dispose()


def test_booleans_and_json_are_stored_as_sqlalchemy_stores_them(postgres_url: str) -> None:
    flags = sa.Table(
        "flags",
        sa.MetaData(),
        sa.Column("flag_id", sa.String(8), primary_key=True),
        sa.Column("on", sa.Boolean),
        sa.Column("tags", sa.JSON),
    )
    engine = sa.create_engine(postgres_url)
    flags.metadata.create_all(engine)
    stored = []
    try:
        for grouped in (False, True):
            with engine.begin() as connection:
                connection.execute(flags.delete())
                batch = WriteBatch(connection)
                target = cast(Connection, batch if grouped else connection)
                for n in range(3):
                    row = {"flag_id": f"f{n}", "on": n == 1, "tags": {"n": [n]} if n else None}
                    replace_row(target, flags, "flag_id", row)
                set_row(target, flags, "flag_id", "f2", on=True, tags=["x"])
                set_row(target, flags, "flag_id", "f1", on=None, tags=None)
                set_row(target, flags, "flag_id", "f0", tags={"quote": "it's 100%"})
                batch.flush()
            with engine.connect() as connection:
                raw = 'SELECT flag_id, "on", tags::text FROM flags ORDER BY flag_id'
                stored.append(connection.exec_driver_sql(raw).all())
    finally:
        engine.dispose()
    assert stored[0] == stored[1]
    assert stored[1][2] == ("f2", True, '["x"]')
