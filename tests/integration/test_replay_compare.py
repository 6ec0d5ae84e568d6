"""The streamed comparison of two read-model stores: PostgreSQL against SQLite walks text keys
in the same (byte) order, and a flood of differences is counted, not all kept."""

from __future__ import annotations

import sqlalchemy as sa

from gateway.core.replay_compare import Differences, compare_tables

metadata = sa.MetaData()
people = sa.Table(
    "people",
    metadata,
    sa.Column("person_id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(64)),
    sa.Column("status", sa.String(16)),
)
# Orders that differ between a locale's collation and byte order: case, accents, CJK, digits.
KEYS = ["B", "a", "Z", "é", "e", "孙悦", "10", "9", "A-1", "a_1"]


def filled(url: str, keys: list[str], status: str = "registered") -> sa.engine.Engine:
    engine = sa.create_engine(url)
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            people.insert(), [{"person_id": key, "name": key, "status": status} for key in keys]
        )
    return engine


def compared(live: sa.engine.Engine, rebuilt: sa.engine.Engine, limit: int = 1000) -> Differences:
    differences = Differences(limit)
    with live.connect() as ours, rebuilt.connect() as theirs:
        compare_tables(ours, theirs, [people], frozenset({"name"}), differences)
    return differences


def test_postgresql_and_sqlite_stores_with_the_same_rows_are_equal(
    postgres_url: str, sqlite_url: str
) -> None:
    live, rebuilt = filled(postgres_url, KEYS), filled(sqlite_url, list(reversed(KEYS)))
    try:
        assert compared(live, rebuilt).as_list() == []
    finally:
        live.dispose()
        rebuilt.dispose()


def test_rows_on_one_side_only_and_changed_columns_are_named_without_personal_values(
    postgres_url: str, sqlite_url: str
) -> None:
    live = filled(postgres_url, [key for key in KEYS if key != "é"])
    rebuilt = filled(sqlite_url, [key for key in KEYS if key != "Z"])
    with live.begin() as connection:
        connection.execute(
            people.update().where(people.c.person_id == "孙悦").values(name="x", status="gone")
        )
    try:
        assert sorted(compared(live, rebuilt).as_list()) == sorted(
            [
                "people Z: only in the live read models",
                "people é: missing from the live read models",
                "people 孙悦: name differs",
                "people 孙悦: status is 'gone' live, 'registered' replayed",
            ]
        )
    finally:
        live.dispose()
        rebuilt.dispose()


def test_past_the_limit_differences_are_counted(sqlite_url: str, tmp_path: object) -> None:
    live = filled(sqlite_url, [f"{n:04d}" for n in range(50)], status="live")
    rebuilt = filled(f"sqlite:///{tmp_path}/rebuilt.db", [f"{n:04d}" for n in range(50)])
    try:
        found = compared(live, rebuilt, limit=10)
    finally:
        live.dispose()
        rebuilt.dispose()
    assert found.count == 50
    assert found.as_list()[10:] == ["... and 40 more differences"]
    assert len(found.as_list()) == 11
