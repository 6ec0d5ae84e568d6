"""After an erasure, SQLite's write-ahead log still holds the pages as they were before it.

With ``secure_delete`` on (``shared.eventstore.database``) an erased value is zeroed in the
page that replaces it; a ``wal_checkpoint(TRUNCATE)`` then copies the pages into the database
file and empties the log, so no older copy of the page is left on disk. A reader in the middle
of a transaction holds the checkpoint back: it is tried a few times, then left to SQLite's own
checkpoints (logged, never silently).
"""

from __future__ import annotations

import time

from sqlalchemy.engine import Engine

from shared.logging import get_logger

log = get_logger(__name__)

ATTEMPTS = 40
PAUSE_SECONDS = 0.05


def truncate_write_ahead_log(engine: Engine) -> bool:
    """Checkpoint and empty the WAL of a SQLite database (True when done; True on others)."""
    if engine.dialect.name != "sqlite":
        return True
    for _attempt in range(ATTEMPTS):
        # Outside any transaction (SQLAlchemy would begin one, and the checkpoint needs none).
        connection = engine.raw_connection()
        try:
            busy = connection.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            connection.close()
        if busy is not None and busy[0] == 0:
            return True
        time.sleep(PAUSE_SECONDS)
    log.warning("privacy.wal_not_truncated", database=str(engine.url.database).rsplit("/", 1)[-1])
    return False
