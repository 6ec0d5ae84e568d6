"""Where an auditor's command finds the event log, and what it says when it cannot.

Every auditor command opens the log here. A SQLite log that does not exist is refused before
anything is opened (SQLite would quietly create an empty file that then "verifies"), and a
database that cannot be read is named, password hidden, with the settings that choose it.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from shared.config import Settings
from shared.eventlog.tables import event_log
from shared.eventstore.database import create_database_engine

WHAT_TO_SET = (
    "run it where the suite keeps its data (gravity up's directory), or set "
    "GRAVITY_EVENTLOG_DB (a database URL) or GRAVITY_DATA_DIR (the SQLite folder)"
)


class LogUnavailableError(Exception):
    """The log could not be opened or read; the message names it and what to set."""


def log_location(settings: Settings) -> str:
    """The log's database as it may be shown: a SQLite path, or a URL without its password."""
    url = sa.engine.make_url(settings.database_url("eventlog"))
    if url.drivername.startswith("sqlite"):
        return str(Path(url.database or ":memory:").resolve())
    return url.render_as_string(hide_password=True)


def open_log(settings: Settings, *, reader: bool = True) -> Engine:
    """An engine on the log; refuses a SQLite log that is not there."""
    url = settings.database_url("eventlog")
    parsed = sa.engine.make_url(url)
    file = parsed.database if parsed.drivername.startswith("sqlite") else None
    if file not in (None, "", ":memory:") and not Path(str(file)).is_file():
        raise LogUnavailableError(f"no event log at {log_location(settings)}: {WHAT_TO_SET}")
    return create_database_engine(url, reader=reader)


def unreadable(settings: Settings, error: sa.exc.DBAPIError) -> LogUnavailableError:
    """The error to show for a database failure: the database and the failure's class only
    (the driver's message may quote a password or personal data)."""
    problem = type(error.orig).__name__
    if isinstance(error, sa.exc.OperationalError | sa.exc.ProgrammingError):
        problem += ", or it is not a Gravity event log (run gravity migrate)"
    return LogUnavailableError(
        f"cannot read the event log at {log_location(settings)} ({problem}): {WHAT_TO_SET}"
    )


def check_is_log(engine: Engine, settings: Settings) -> None:
    """Refuse a database without the log's table, naming it."""
    try:
        with engine.connect() as connection:
            connection.execute(sa.select(event_log.c.position).limit(1)).all()
    except sa.exc.DBAPIError as error:
        raise unreadable(settings, error) from None
