"""Waiting for SQLite's write lock without stopping every other green thread.

SQLite's own busy timeout sleeps inside the C library. Under eventlet all green threads of a
process share one OS thread, so that sleep stops them all, the lock's holder included if it
yielded inside its transaction (a pool wait, a lock, a publish): the holder cannot finish,
and the waiter sits out its whole timeout and fails with "database is locked".

So writer connections open with no busy timeout, and the statement that takes the lock is
retried here, sleeping with ``time.sleep`` between tries. ``eventlet.monkey_patch()`` makes
that sleep a cooperative one, which lets the holder run and commit; in a process of plain
threads (the event log consumer, the CLI) it is an ordinary sleep, as SQLite's own would be.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa

T = TypeVar("T")

# As long as the busy timeout that SQLite itself used to wait.
WRITE_LOCK_WAIT_SECONDS = 30.0
FIRST_PAUSE_SECONDS = 0.001
LONGEST_PAUSE_SECONDS = 0.05


def is_busy(error: BaseException) -> bool:
    """Whether ``error`` (raw or wrapped by SQLAlchemy) is SQLite's "locked, try later"."""
    original = error.orig if isinstance(error, sa.exc.DBAPIError) else error
    if not isinstance(original, sqlite3.OperationalError):
        return False
    # The primary code, without the extended part (SQLITE_BUSY_RECOVERY and the like).
    return getattr(original, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_BUSY


def retry_while_busy(attempt: Callable[[], T], wait_seconds: float = WRITE_LOCK_WAIT_SECONDS) -> T:
    """Run ``attempt`` until SQLite stops answering busy, or re-raise after ``wait_seconds``."""
    deadline = time.monotonic() + wait_seconds
    pause = FIRST_PAUSE_SECONDS
    while True:
        try:
            return attempt()
        except (sqlite3.OperationalError, sa.exc.OperationalError) as error:
            remaining = deadline - time.monotonic()
            if not is_busy(error) or remaining <= 0:
                raise
        # Looked up on each call, so that eventlet's patched sleep is the one used.
        time.sleep(min(pause, remaining))
        pause = min(pause * 2, LONGEST_PAUSE_SECONDS)
