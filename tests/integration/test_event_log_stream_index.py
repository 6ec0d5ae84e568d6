"""On SQLite the log's stream index is kept per block of 4,096 positions (revision 0006): a
stream is still read whole, in order, across blocks, with every filter and bound; SQLite finds
it through that index; and a log of the layout before migrates to it and back with every entry
and hash kept. PostgreSQL keeps its plain stream index and reads alike."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from shared.eventlog import EventLogAppender, EventLogReader, HeadAnchor, verify_chain
from shared.eventlog.export_check import _create_tables
from shared.eventlog.tables import BLOCK_BITS, EVENT_LOG_INDEXES, event_log
from shared.events.envelope import Envelope
from shared.eventstore.database import create_database_engine
from shared.migrations import migrate_to, upgrade_to_head
from tests.integration.test_event_log_checkpoints import run_audit

MIGRATIONS = "shared.eventlog.migrations"

BLOCK = 1 << BLOCK_BITS
STREAM = "student-followed"
# Where the followed stream's entries land: in blocks 0, 1 and 2, at both ends of a block.
FOLLOWED = (5, BLOCK - 1, BLOCK, BLOCK + 100, 2 * BLOCK + 1, 2 * BLOCK + 300)
ENTRIES = 2 * BLOCK + 400


def make_envelope(position: int, event_id: str | None = None) -> Envelope:
    followed = position in FOLLOWED
    return Envelope(
        event_type="AllianceLeft" if position % 2 else "AllianceJoined",
        schema_version=1,
        stream_id=STREAM if followed else f"student-{uuid.uuid4()}",
        stream_version=FOLLOWED.index(position) + 1 if followed else 1,
        producer="recruitment",
        actor="student:x",
        correlation_id=f"corr-{position}",
        payload={"n": position},
        **({} if event_id is None else {"event_id": event_id}),
    )


def fill(engine: Engine, first: int, last: int, *, random_ids: bool = False) -> None:
    """Log the entries meant for positions ``first``..``last`` (the log holds ``first - 1``)."""
    appender = EventLogAppender(engine)
    for start in range(first, last + 1, 1000):
        batch = [
            make_envelope(n, str(uuid.uuid4()) if random_ids else None)
            for n in range(start, min(start + 1000, last + 1))
        ]
        appender.append_batch(batch)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    upgrade_to_head(database_url, MIGRATIONS)
    made = create_database_engine(database_url)
    yield made
    made.dispose()


def followed(engine: Engine, after: int = 0, **filters: Any) -> list[int]:
    return [e.position for e in EventLogReader(engine).read_after(after, **filters)]


def test_a_stream_is_read_in_order_across_blocks_with_paging_filters_and_bounds(engine):
    fill(engine, 1, ENTRIES)

    assert followed(engine, stream_id=STREAM) == list(FOLLOWED)
    assert followed(engine, BLOCK - 1, stream_id=STREAM) == list(FOLLOWED[2:])
    assert followed(engine, 2 * BLOCK + 300, stream_id=STREAM) == []
    assert followed(engine, stream_id=STREAM, limit=3) == list(FOLLOWED[:3])
    assert followed(engine, 5, stream_id=STREAM, limit=2) == [BLOCK - 1, BLOCK]
    assert followed(engine, stream_id=STREAM, before=2 * BLOCK + 1) == list(FOLLOWED[:4])
    odd = [position for position in FOLLOWED if position % 2]
    assert followed(engine, stream_id=STREAM, event_type="AllianceLeft") == odd
    assert followed(engine, stream_id="student-nobody") == []
    read = EventLogReader(engine).read_after(0, stream_id=STREAM)
    assert [entry.envelope.payload["n"] for entry in read] == list(FOLLOWED)


def test_sqlite_finds_a_stream_through_the_block_index(sqlite_url):
    upgrade_to_head(sqlite_url, MIGRATIONS)
    engine = create_database_engine(sqlite_url)
    statements: list[tuple[str, Any]] = []
    sa.event.listen(
        engine,
        "before_cursor_execute",
        lambda _c, _cur, statement, parameters, _x, _m: statements.append((statement, parameters)),
    )
    try:
        EventLogReader(engine).read_after(10, stream_id=STREAM)
        (statement, parameters), *_ = statements
        with engine.connect() as connection:
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            steps = [row[-1] for row in plan]
    finally:
        engine.dispose()
    assert any("USING INDEX ix_event_log_block_stream" in step for step in steps), steps
    assert not any(step.startswith("SCAN event_log") for step in steps), steps


def test_the_migrated_sqlite_log_and_an_export_check_have_the_declared_indexes(
    sqlite_url, tmp_path
):
    upgrade_to_head(sqlite_url, MIGRATIONS)
    scratch = create_database_engine(f"sqlite:///{tmp_path / 'scratch.db'}")
    migrated = create_database_engine(sqlite_url)
    try:
        _create_tables(scratch)
        assert log_indexes(migrated) == set(EVENT_LOG_INDEXES)
        assert log_indexes(scratch) == set(EVENT_LOG_INDEXES)
    finally:
        scratch.dispose()
        migrated.dispose()


def log_indexes(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        found = connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'event_log'"
        )
        return {row[0] for row in found if row[0] is not None}


def stored(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(event_log.c.position, event_log.c.hash, event_log.c.envelope).order_by(
                event_log.c.position
            )
        )
        return [tuple(row) for row in rows]


def test_a_log_of_the_layout_before_migrates_with_every_entry_and_back(database_url, tmp_path):
    migrate_to(database_url, MIGRATIONS, "0005")
    engine = create_database_engine(database_url)
    try:
        fill(engine, 1, BLOCK + 200, random_ids=True)  # as producers made ids before
        before = stored(engine)
        head = HeadAnchor(before[-1][0], before[-1][1])
        old_stream_index = index_names(engine)

        upgrade_to_head(database_url, MIGRATIONS)

        assert stored(engine) == before
        result = verify_chain(engine, expect_head=head)
        assert result.ok, result.reason
        assert followed(engine, stream_id=STREAM) == list(FOLLOWED[:4])
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            assert old_stream_index - index_names(engine) == {"ix_event_log_stream_id"}
            assert index_names(engine) - old_stream_index == {"ix_event_log_block_stream"}
        else:  # PostgreSQL keeps its plain stream index
            assert index_names(engine) == old_stream_index
        fill(engine, BLOCK + 201, ENTRIES)  # new producers' time-ordered ids after old ones
        assert followed(engine, stream_id=STREAM) == list(FOLLOWED)
        assert run_audit(database_url, tmp_path / "keys", "verify") == 0

        migrate_to(database_url, MIGRATIONS, "0005", downgrade=True)

        assert index_names(engine) == old_stream_index
        assert followed(engine, stream_id=STREAM) == list(FOLLOWED)
        assert verify_chain(engine).ok
    finally:
        engine.dispose()


def index_names(engine: Engine) -> set[str]:
    # From the catalogue: SQLAlchemy's reflection skips an index on an expression.
    catalogue = (
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'event_log'"
        if engine.dialect.name == "sqlite"
        else "SELECT indexname FROM pg_indexes WHERE tablename = 'event_log'"
    )
    with engine.connect() as connection:
        return set(connection.exec_driver_sql(catalogue).scalars())
