"""The suite on PostgreSQL for a bench run (``bench/registrations.py --database postgresql``).

Each run gets one throw-away database per component on the machine's PostgreSQL
(127.0.0.1:5432, trust), passed to ``gravity up`` as ``GRAVITY_<COMPONENT>_DB`` exactly as
compose does, and dropped afterwards; the figures the bench reads from the databases (the
event log's lags, the data keys made) are read from there instead of the SQLite files.

PostgreSQL's own CPU is not below ``gravity up``: ``ServerCpu`` reads it from /proc for the
server processes serving those databases (``pg_stat_activity``), before and after the load.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.suite import SourceTree

SERVER = "postgresql+psycopg2://postgres@127.0.0.1:5432"
COMPONENTS = ("eventlog", "gateway", "recruitment", "placement", "volunteering", "honors")
OBSERVER = "gravity-bench-observer"  # the read-model observer's sessions, not the suite's


@contextlib.contextmanager
def throwaway_databases() -> Iterator[dict[str, str]]:
    """``{component: url}`` of fresh databases, dropped (with their sessions) on the way out."""
    run = uuid.uuid4().hex[:8]
    names = {component: f"gravity_bench_{run}_{component}" for component in COMPONENTS}
    admin = sa.create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            for name in names.values():
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield {component: f"{SERVER}/{name}" for component, name in names.items()}
    finally:
        with admin.connect() as connection:
            for name in names.values():
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass(frozen=True)
class PostgresTree(SourceTree):
    """A tree whose suite keeps every component's data in the given PostgreSQL databases."""

    urls: tuple[tuple[str, str], ...] = ()

    def environ(self, **settings: str) -> dict[str, str]:
        databases = {f"GRAVITY_{component.upper()}_DB": url for component, url in self.urls}
        return super().environ(**settings) | databases


class ServerCpu:
    """CPU seconds of the PostgreSQL server processes serving the suite's databases. The pools
    keep their connections, so the processes seen at the end were mostly there at the start
    (one that started meanwhile counts whole, one that ended meanwhile is missed)."""

    def __init__(self, urls: dict[str, str]) -> None:
        self._admin = f"{SERVER}/postgres"
        self._names = [url.rsplit("/", 1)[1] for url in urls.values()]

    def read(self) -> dict[int, float]:
        pids = _rows(
            self._admin,
            "SELECT pid FROM pg_stat_activity WHERE datname = ANY(:names)"
            " AND application_name <> :observer",
            names=self._names,
            observer=OBSERVER,
        )
        seconds = {}
        for (pid,) in pids:
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                seconds[int(pid)] = (int(fields[11]) + int(fields[12])) / _TICKS
        return seconds

    @staticmethod
    def spent(before: dict[int, float], after: dict[int, float]) -> float:
        return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


_TICKS = os.sysconf("SC_CLK_TCK")


def _rows(url: str, query: str, **parameters: object) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sa.text(query), parameters)]
    finally:
        engine.dispose()


def event_log_lags(url: str) -> list[float]:
    """Seconds from each registration's commit (``occurred_at``) to its entry in the log."""
    rows = _rows(
        url,
        "SELECT occurred_at, recorded_at FROM event_log WHERE event_type = :type",
        type="StudentRegistered",
    )
    return [
        (_moment(str(recorded)) - _moment(str(occurred))).total_seconds()
        for occurred, recorded in rows
    ]


def visible_in(url: str) -> Callable[[str], bool]:
    """Whether the gateway's read model (database ``url``) holds a student's row, read in a
    session of its own whose server CPU ``ServerCpu`` leaves out (bench/load.py's observer)."""
    engine = sa.create_engine(
        url,
        isolation_level="AUTOCOMMIT",
        pool_size=1,
        connect_args={"application_name": OBSERVER},
    )
    query = sa.text("SELECT 1 FROM students WHERE student_id = :id")

    def visible(student_id: str) -> bool:
        with engine.connect() as connection:
            return connection.execute(query, {"id": student_id}).first() is not None

    return visible


def data_keys_made(url: str) -> int:
    return int(str(_rows(url, "SELECT count(*) FROM subject_keys")[0][0]))


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
