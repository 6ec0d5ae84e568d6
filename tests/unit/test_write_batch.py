"""Writes recorded by a ``WriteBatch`` and sent grouped end in the same rows as the same writes
sent one by one, in log order (SQLite files, as in ``test_projector``)."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gateway.core.projection import replace_row, set_row
from gateway.core.write_batch import WriteBatch

metadata = sa.MetaData()
people = sa.Table(
    "people",
    metadata,
    sa.Column("person_id", sa.String(8), primary_key=True),
    sa.Column("group_id", sa.String(8)),
    sa.Column("status", sa.String(16)),
    sa.Column("note", sa.String(16)),
)
groups = sa.Table(
    "groups",
    metadata,
    sa.Column("group_id", sa.String(8), primary_key=True),
    sa.Column("size", sa.Integer),
)


def writes(seed: int) -> list[tuple[str, Any]]:
    """Replaces and sets of a few rows, by person and by group, with reads between them."""
    rng = random.Random(seed)
    steps: list[tuple[str, Any]] = []
    for n in range(400):
        person, group = f"p{rng.randint(0, 20)}", f"g{rng.randint(0, 3)}"
        choice = rng.random()
        if choice < 0.3:
            row = {"person_id": person, "group_id": group, "status": "new", "note": str(n)}
            steps.append(("replace", row))
        elif choice < 0.6:
            steps.append(("set status", (person, f"s{n}")))
        elif choice < 0.7:
            steps.append(("set note", (person, f"n{n}")))
        elif choice < 0.8:
            steps.append(("set by group", (group, f"g{n}")))
        elif choice < 0.95:
            steps.append(("group", {"group_id": group, "size": n}))
        else:
            steps.append(("read", person))
    return steps


def run(connection: Connection, steps: list[tuple[str, Any]]) -> list[Any]:
    seen = []
    for kind, value in steps:
        if kind == "replace":
            replace_row(connection, people, "person_id", value)
        elif kind == "set status":
            set_row(connection, people, "person_id", value[0], status=value[1])
        elif kind == "set note":
            set_row(connection, people, "person_id", value[0], note=value[1])
        elif kind == "set by group":
            set_row(connection, people, "group_id", value[0], status=value[1])
        elif kind == "group":
            replace_row(connection, groups, "group_id", value)
        else:
            found = connection.execute(sa.select(people).where(people.c.person_id == value))
            seen.append(found.all())
    return seen


def rows(engine: sa.engine.Engine) -> list[Any]:
    with engine.connect() as connection:
        return [
            connection.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            for table in (people, groups)
        ]


def test_grouped_writes_end_in_the_rows_of_writes_one_by_one(tmp_path: Path) -> None:
    for seed in range(5):
        one_by_one = sa.create_engine(f"sqlite:///{tmp_path / f'plain{seed}.db'}")
        grouped = sa.create_engine(f"sqlite:///{tmp_path / f'grouped{seed}.db'}")
        metadata.create_all(one_by_one)
        metadata.create_all(grouped)
        steps = writes(seed)
        with one_by_one.begin() as connection:
            plain_reads = run(connection, steps)
        with grouped.begin() as connection:
            batch = WriteBatch(connection)
            grouped_reads = run(cast(Connection, batch), steps)
            batch.flush()
        assert rows(grouped) == rows(one_by_one)
        assert grouped_reads == plain_reads
        one_by_one.dispose()
        grouped.dispose()


class CountingCursor(sqlite3.Cursor):
    """Counts the statements sent to SQLite, whether through SQLAlchemy or straight."""

    sent: list[str] = []

    def execute(self, sql: str, *args: Any) -> Any:  # type: ignore[override]
        CountingCursor.sent.append(sql)
        return super().execute(sql, *args)

    def executemany(self, sql: str, *args: Any) -> Any:  # type: ignore[override]
        CountingCursor.sent.append(sql)
        return super().executemany(sql, *args)


class CountingConnection(sqlite3.Connection):
    def cursor(self, factory: Any = CountingCursor) -> Any:
        return super().cursor(factory)


def test_writes_of_many_rows_go_out_as_few_statements(tmp_path: Path) -> None:
    engine = sa.create_engine(
        f"sqlite:///{tmp_path / 'few.db'}", connect_args={"factory": CountingConnection}
    )
    metadata.create_all(engine)
    with engine.begin() as connection:
        batch = WriteBatch(connection)
        for n in range(100):
            row = {"person_id": f"p{n}", "group_id": "g", "status": "new", "note": ""}
            replace_row(cast(Connection, batch), people, "person_id", row)
        for n in range(100):
            set_row(cast(Connection, batch), people, "person_id", f"p{n}", status="seen")
        CountingCursor.sent.clear()
        batch.flush()
        sent = list(CountingCursor.sent)
    assert len(sent) == 3  # one delete, one insert, one update: each an executemany
    assert {row.status for row in rows(engine)[0]} == {"seen"}
    engine.dispose()


def test_booleans_and_json_are_stored_as_sqlalchemy_stores_them(tmp_path: Path) -> None:
    flags = sa.Table(
        "flags",
        sa.MetaData(),
        sa.Column("flag_id", sa.String(8), primary_key=True),
        sa.Column("on", sa.Boolean),
        sa.Column("tags", sa.JSON),
    )
    stored = []
    for name in ("plain", "grouped"):
        engine = sa.create_engine(f"sqlite:///{tmp_path / f'{name}.db'}")
        flags.metadata.create_all(engine)
        with engine.begin() as connection:
            batch = WriteBatch(connection)
            target = cast(Connection, batch if name == "grouped" else connection)
            for n in range(3):
                row = {"flag_id": f"f{n}", "on": n == 1, "tags": {"n": [n]} if n else None}
                replace_row(target, flags, "flag_id", row)
            set_row(target, flags, "flag_id", "f2", on=True, tags=["x"])
            set_row(target, flags, "flag_id", "f1", on=None, tags=None)
            batch.flush()
        with engine.connect() as connection:
            raw = 'SELECT flag_id, "on", typeof(tags), tags FROM flags ORDER BY flag_id'
            stored.append(connection.exec_driver_sql(raw).all())
        engine.dispose()
    assert stored[0] == stored[1]
    assert stored[1][2] == ("f2", 1, "text", '["x"]')
