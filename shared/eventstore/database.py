"""Engines for SQLite (the embedded default) and PostgreSQL, with the settings each needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine


def create_database_engine(url: str, *, green: bool = False, reader: bool = False) -> Engine:
    """Create an engine; ``green`` makes psycopg2 cooperate with eventlet.

    A ``reader`` engine (one that only follows another process's writes) keeps SQLite's
    deferred transactions, so that it never takes the write lock.

    SQLite gets WAL mode (readers never block the writer) and a busy timeout, so that the
    gateway can follow the event log while the log writer appends.
    """
    if url.startswith("sqlite"):
        return _sqlite_engine(url, reader=reader)
    if green:
        from psycogreen.eventlet import patch_psycopg

        patch_psycopg()
    # hide_parameters: a database error must never quote a student's name or ID number.
    return sa.create_engine(
        url, pool_pre_ping=True, pool_size=10, max_overflow=10, hide_parameters=True
    )


def _sqlite_engine(url: str, *, reader: bool) -> Engine:
    database = sa.engine.make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        url,
        connect_args={"timeout": 30, "check_same_thread": False},
        hide_parameters=True,
    )

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling defers BEGIN; take it over so that a write
        # transaction starts as IMMEDIATE and concurrent writers queue instead of failing.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN" if reader else "BEGIN IMMEDIATE")

    return engine
