"""Writers waiting for SQLite's write lock: green threads keep running, plain threads still wait."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import eventlet
import pytest
import sqlalchemy as sa
from eventlet.event import Event

from shared.eventstore.database import create_database_engine
from shared.eventstore.sqlite_lock import retry_while_busy

notes = sa.Table("notes", sa.MetaData(), sa.Column("writer", sa.String(20)))


@pytest.fixture
def engine(sqlite_url):
    engine = create_database_engine(sqlite_url)
    notes.create(engine)
    yield engine
    engine.dispose()


def written(engine) -> list[str]:
    with engine.connect() as connection:
        return sorted(connection.execute(sa.select(notes.c.writer)).scalars())


def test_a_green_writer_waiting_for_the_lock_lets_a_holder_that_yielded_finish(engine):
    holding = Event()

    def holder() -> None:
        with engine.begin() as connection:
            connection.execute(notes.insert().values(writer="holder"))
            holding.send()
            eventlet.sleep(0.05)  # yields inside its transaction, as a publish or a log might

    def waiter() -> None:
        holding.wait()
        with engine.begin() as connection:
            connection.execute(notes.insert().values(writer="waiter"))

    threads = [eventlet.spawn(holder), eventlet.spawn(waiter)]
    for thread in threads:
        thread.wait()

    assert written(engine) == ["holder", "waiter"]


PLAIN_THREADS = """
import sys
import threading
import time

import sqlalchemy as sa

from shared.eventstore.database import create_database_engine
from shared.eventstore.sqlite_lock import retry_while_busy

engine = create_database_engine(sys.argv[1])
notes = sa.Table("notes", sa.MetaData(), sa.Column("writer", sa.String(20)))
notes.create(engine)
holding = threading.Event()


def holder():
    with engine.begin() as connection:
        connection.execute(notes.insert().values(writer="holder"))
        holding.set()
        time.sleep(0.3)


def waiter():
    holding.wait()
    with engine.begin() as connection:
        connection.execute(notes.insert().values(writer="waiter"))


threads = [threading.Thread(target=holder), threading.Thread(target=waiter)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
assert "eventlet" not in sys.modules
with engine.connect() as connection:
    print(",".join(sorted(connection.execute(sa.select(notes.c.writer)).scalars())))
"""


def test_without_eventlet_a_writer_thread_waits_for_the_holder_then_commits(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(PLAIN_THREADS), f"sqlite:///{tmp_path / 'p.db'}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "holder,waiter"


def test_a_writer_gives_up_with_database_is_locked_when_the_holder_never_finishes(engine):
    database = engine.url.database
    holder = sqlite3.connect(database, isolation_level=None)
    waiter = sqlite3.connect(database, isolation_level=None, timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            retry_while_busy(lambda: waiter.execute("BEGIN IMMEDIATE"), wait_seconds=0.1)
    finally:
        holder.close()
        waiter.close()


def test_an_error_other_than_busy_is_raised_at_once(engine):
    attempts = []

    def attempt() -> None:
        attempts.append(1)
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT * FROM no_such_table")

    with pytest.raises(sa.exc.OperationalError, match="no such table"):
        retry_while_busy(attempt)
    assert len(attempts) == 1
