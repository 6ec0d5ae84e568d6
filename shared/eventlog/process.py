"""The event-log process's one bootstrap: settings in, a migrated database and a consumer out."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from shared.config import ConfigError, Settings, load_settings
from shared.eventlog.checkpoints import Checkpointer
from shared.eventlog.consumer import ConsumerOptions, EventLogConsumer
from shared.eventlog.keys import ensure_private_key
from shared.events.producer_keys import ProducerKeys
from shared.events.producers import producers as all_producers
from shared.eventstore.database import create_database_engine
from shared.file_modes import protect_data_files
from shared.logging import configure_logging, get_logger
from shared.migrations import upgrade_to_head

MIGRATIONS = "shared.eventlog.migrations"
LOG_KEY = "eventlog.key"  # its public half, eventlog.pub beside it, is what auditors need
# The writer's SQLite page cache (and memory map), per connection: the event-id and stream-id
# indexes of a million entries fit. (Against SQLite's default 2 MiB it made no difference to
# the CPU per entry up to a million entries in bench/eventlog_append.py: the operating
# system's page cache serves those reads too.)
LOG_CACHE_MIB = 256
# Pages of write-ahead log after which a commit copies them into the database file (SQLite's
# default: 1,000). When every entry put a random key into two indexes (random event ids, the
# stream index over the whole log, before migration 0006), each commit of a large log dirtied
# about one index page per entry per index, and at the default nearly every commit of a batch
# also checkpointed; ten times as many pages between checkpoints copied a page changed by
# several batches once: 3-14% less CPU per entry up to 600,000 entries, nothing beyond. With
# time-ordered event ids and the stream index per block, a batch writes about 2 KiB per entry
# at any size, and the interval still spares a copy of the pages several batches share
# (docs/performance.md, "The event log's append rate").
LOG_CHECKPOINT_PAGES = 10_000
log = get_logger(__name__)


@contextmanager
def event_log_consumer(
    settings: Settings, options: ConsumerOptions | None = None
) -> Iterator[EventLogConsumer]:
    """Bring the log's database to the newest schema and build its consumer (tests use this)."""
    database_url = settings.database_url("eventlog")
    upgrade_to_head(database_url, MIGRATIONS)
    engine = log_engine(database_url)
    key = ensure_private_key(settings.keys_dir / LOG_KEY)
    checkpointer = Checkpointer(engine, key)
    try:
        producers = ProducerKeys.from_settings(settings)
        yield EventLogConsumer(
            engine,
            settings.amqp_uri,
            all_producers(settings),
            producers,
            options=options,
            checkpointer=checkpointer,
        )
    finally:
        engine.dispose()


def log_engine(database_url: str) -> Engine:
    """The log writer's engine: the product's, with the log's page cache and, on SQLite, its
    checkpoint interval."""
    engine = create_database_engine(database_url, cache_mib=LOG_CACHE_MIB)
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _checkpoint_interval(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={LOG_CHECKPOINT_PAGES}")

    return engine


def main(config: str | None = None) -> int:
    """Run the event log until SIGTERM or SIGINT; the batch in hand is finished first."""
    settings = load_settings(config)
    configure_logging("eventlog", settings.log_format, settings.log_level)
    protect_data_files(settings)  # umask 077 before the log's database or key is made
    try:
        settings.check_safe_to_run()
    except ConfigError as error:
        print(f"eventlog: {error}", file=sys.stderr)
        return 2
    try:
        with event_log_consumer(settings) as consumer:

            def request_stop(signum: int, _frame: Any) -> None:
                log.info("eventlog.stopping", signal=signal.Signals(signum).name)
                consumer.stop()

            signal.signal(signal.SIGTERM, request_stop)
            signal.signal(signal.SIGINT, request_stop)
            known = consumer.producers.key_ids()
            log.info(
                "eventlog.started",
                producers=list(all_producers(settings)),
                producer_keys=known,
                broker_users=consumer.producers.broker_users,  # empty: signatures alone decide
            )
            for producer in all_producers(settings):
                if producer not in known:  # its events are quarantined until it has a key
                    log.warning("eventlog.no_producer_key", service=producer)
            consumer.run()
    except Exception as error:
        # Only the class: database errors quote the rows they failed on, and rows hold
        # personal data.
        log.error("eventlog.failed", error=type(error).__name__)
        return 1
    log.info("eventlog.stopped")
    return 0
