"""Engines for SQLite (the embedded default) and PostgreSQL, with the settings each needs."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from shared.eventstore.sqlite_lock import retry_while_busy

# A reader never waits for the write lock (WAL), only, rarely, for another connection's
# recovery of the log; SQLite's own busy wait is fine for that.
READER_BUSY_TIMEOUT_SECONDS = 30
# A PostgreSQL connection back in the pool for longer than this is pinged before it is handed
# out again; one used again sooner is not (see ``_ping_when_idle``).
IDLE_PING_SECONDS = 1.0
_CHECKED_IN = "gravity_checked_in_at"


def create_database_engine(
    url: str, *, green: bool = False, reader: bool = False, cache_mib: int | None = None
) -> Engine:
    """Create an engine; ``green`` makes psycopg2 cooperate with eventlet.

    ``cache_mib`` gives each SQLite connection a page cache of that size and maps as much of
    the file into memory (instead of SQLite's 2 MiB): the event log's writer, whose random
    event-id and stream-id indexes otherwise outgrow the cache and slow every append as the
    log grows. PostgreSQL sizes its buffers itself: ignored there.

    A ``reader`` engine (one that only follows another process's writes) keeps SQLite's
    deferred transactions, so that it never takes the write lock.

    SQLite gets WAL mode (readers never block the writer), so that the gateway can follow
    the event log while the log writer appends. A writer waits for the write lock in
    ``sqlite_lock``, cooperatively under eventlet, rather than in SQLite's busy timeout.
    """
    if url.startswith("sqlite"):
        return _sqlite_engine(url, reader=reader, cache_mib=cache_mib)
    if green:
        from psycogreen.eventlet import patch_psycopg

        patch_psycopg()
    # hide_parameters: a database error must never quote a student's name or ID number.
    engine = sa.create_engine(url, pool_size=10, max_overflow=10, hide_parameters=True)
    _ping_when_idle(engine)
    return engine


@contextlib.contextmanager
def autocommitted(engine: Engine) -> Iterator[Connection]:
    """A connection for work that needs no transaction around it: one statement (a read, or
    a write that is whole by itself), or reads of rows that never change once written (the
    event log's entries). Call ``commit()`` after a write: on SQLite the connection is as it
    is, in a transaction as usual (there a statement is no round trip). On PostgreSQL its
    driver connection is in autocommit meanwhile, so that a read is one round trip instead of
    three (psycopg2's ``BEGIN``, the read, the ``ROLLBACK`` with which the pool takes the
    connection back) and a write one instead of three (``BEGIN``, the write, ``COMMIT``); the
    ``commit()`` is then no round trip. The switch is the driver's own flag, as SQLAlchemy's
    ping sets it: through SQLAlchemy's isolation level, psycopg2 would send a ``SET`` to undo
    it on every later switch."""
    with engine.connect() as connection:
        if connection.dialect.name != "postgresql":
            yield connection
            return
        driver = connection.connection.dbapi_connection
        assert driver is not None  # just checked out
        driver.autocommit = True
        try:
            yield connection
        finally:
            if not driver.closed:  # the pool gets it back as it gave it
                driver.autocommit = False


def _ping_when_idle(engine: Engine) -> None:
    """SQLAlchemy's ``pool_pre_ping``, for connections that have been idle: a connection
    back in the pool for more than ``IDLE_PING_SECONDS`` is pinged (``SELECT 1``) before it
    is handed out, and if that fails every connection pooled before it is dropped and a new
    one taken, as ``pool_pre_ping`` does.

    ``pool_pre_ping`` pings at every checkout: a round trip, and a query for the server,
    before each command, consumed event, request and projection batch of a busy suite, where
    connections go back to the pool for milliseconds. A server restarted meanwhile (it is
    away longer than a second) or a connection dropped while idle (by the server's or a
    proxy's idle timeout) is found as before. A connection that breaks while in use, or in
    its first second back in the pool, fails its statement, as it could between a ping and
    the statement before: the caller sees the database as unavailable (503, a safe retry)
    and SQLAlchemy drops the connection."""

    @sa.event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection: Any, record: Any) -> None:
        if dbapi_connection is not None:  # None: invalidated, closed already
            record.info[_CHECKED_IN] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        # ``info`` goes with the driver's connection: a new one has no mark and needs no ping.
        checked_in = record.info.get(_CHECKED_IN)
        if checked_in is None or time.monotonic() - checked_in <= IDLE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # Only the class: the pool logs the reason, and it stays free of any row.
            raise sa.exc.InvalidatePoolError(type(error).__name__) from None


def _sqlite_engine(url: str, *, reader: bool, cache_mib: int | None) -> Engine:
    database = sa.engine.make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        url,
        connect_args={
            "timeout": READER_BUSY_TIMEOUT_SECONDS if reader else 0,
            "check_same_thread": False,
        },
        hide_parameters=True,
    )

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling defers BEGIN; take it over so that a write
        # transaction starts as IMMEDIATE and concurrent writers queue instead of failing.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # Switching a new database to WAL needs a moment of exclusive access.
        retry_while_busy(lambda: cursor.execute("PRAGMA journal_mode=WAL"))
        # FULL: a commit is on disk (the WAL fsynced) before the client hears of it; NORMAL
        # could lose the last commits to a power cut. Measured at no cost in CPU per
        # registration (docs/operations.md, "Durability").
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # A deleted or overwritten row (an erased student's index row, a destroyed data key)
        # is overwritten with zeros in the database file, not left in a free page
        # (docs/privacy.md, "At rest": what it does not do for the WAL until a checkpoint).
        cursor.execute("PRAGMA secure_delete=ON")
        if cache_mib is not None:
            cursor.execute(f"PRAGMA cache_size=-{int(cache_mib) * 1024}")
            cursor.execute(f"PRAGMA mmap_size={int(cache_mib) * 1024 * 1024}")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # On the driver's connection: through ``exec_driver_sql`` the BEGIN of every command
        # cost several times what SQLite spends on it (docs/performance.md).
        driver = connection.connection.dbapi_connection
        try:
            if reader:
                driver.execute("BEGIN")
            else:
                retry_while_busy(lambda: driver.execute("BEGIN IMMEDIATE"))
        except sqlite3.Error as error:
            raise sa.exc.DBAPIError.instance(
                "BEGIN", None, error, sqlite3.Error, hide_parameters=True
            ) from error

    return engine
