"""The log writer's engine: on SQLite it checkpoints its write-ahead log every
``LOG_CHECKPOINT_PAGES`` pages instead of SQLite's 1,000 and keeps the product's durability;
on PostgreSQL it is the product's engine and appends as before."""

from __future__ import annotations

import sqlalchemy as sa

from shared.eventlog.appender import EventLogAppender
from shared.eventlog.process import LOG_CHECKPOINT_PAGES, MIGRATIONS, log_engine
from shared.events.envelope import Envelope
from shared.migrations import upgrade_to_head


def make_envelope(number: int) -> Envelope:
    return Envelope(
        event_type="CampaignOpened",
        schema_version=1,
        stream_id=f"campaign-{number}",
        stream_version=1,
        producer="recruitment",
        actor="operator:op-1",
        correlation_id=f"engine-{number}",
        payload={"number": number},
    )


def test_the_log_writer_checkpoints_every_log_checkpoint_pages_and_stays_durable(
    sqlite_url: str,
) -> None:
    engine = log_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA wal_autocheckpoint").scalar() == LOG_CHECKPOINT_PAGES
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA synchronous").scalar() == 2  # FULL
    finally:
        engine.dispose()
    assert LOG_CHECKPOINT_PAGES > 1000


def test_the_log_writer_appends_and_reads_back_on_both_databases(database_url: str) -> None:
    upgrade_to_head(database_url, MIGRATIONS)
    engine = log_engine(database_url)
    try:
        positions = EventLogAppender(engine).append_batch([make_envelope(n) for n in range(3)])
        assert positions == [1, 2, 3]
        with engine.connect() as connection:
            count = connection.execute(sa.text("SELECT count(*) FROM event_log")).scalar()
        assert count == 3
    finally:
        engine.dispose()
