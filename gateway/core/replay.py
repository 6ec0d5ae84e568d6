"""Rebuild the read models from the whole event log and compare them with the live ones.

``gravity audit replay`` runs this: a rebuild into a fresh store (a temporary SQLite file
unless told otherwise) up to the live checkpoint, then a row-by-row comparison, streamed
(``replay_compare``: memory does not grow with the read models). Differences
name tables, ids and columns, never personal values. ``rebuild`` and ``fresh_store`` also
serve the point-in-time replay (``gateway.audit.point_in_time``).
"""

from __future__ import annotations

import gc
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from tqdm import tqdm

from gateway.core.log_rows import read_rows_after
from gateway.core.privacy import gateway_keys
from gateway.core.projection import Projected, projection_of
from gateway.core.projector import Projector
from gateway.core.replay_compare import Differences, compare_tables
from gateway.core.tables import PROJECTION, checkpoint
from shared.config import Settings
from shared.eventlog.reader import EventLogReader
from shared.eventstore.database import create_database_engine
from shared.migrations import upgrade_to_head

MIGRATIONS = "gateway.migrations"
BATCH_SIZE = 5000  # events per transaction of a rebuild (the live subscription has its own)
Snapshot = dict[str, dict[str, dict[str, Any]]]


@dataclass(frozen=True)
class ReplayReport:
    """``equal`` when the rebuild matches the live read models row for row."""

    equal: bool
    events: int
    differences: list[str] = field(default_factory=list)


def replay_read_models(
    settings: Settings,
    sections: Sequence[Projected],
    target_url: str | None = None,
    progress: bool = True,
) -> ReplayReport:
    """Rebuild the sections' read models from the log into ``target_url`` (a fresh, empty
    store) and compare them with the live ones. ``gateway.readmodels.READ_MODELS`` will do
    for ``sections``, without importing the gateway's HTTP side."""
    tables = [table for section in sections for table in section.tables]
    personal = frozenset().union(*(section.personal_columns for section in sections))
    live_engine = create_database_engine(settings.database_url("gateway"), reader=True)
    log_engine = create_database_engine(settings.database_url("eventlog"), reader=True)
    differences = Differences()
    try:
        # One live transaction from the checkpoint to the last compared row: the rows are those
        # of that checkpoint even while the live projector moves on.
        with _few_collections(), _consistent(live_engine) as live:
            live_position = _position(live)
            with fresh_store(target_url, tables) as target:
                # Opened with the live store's keys, read only: erased subjects stay [erased].
                keys = gateway_keys(settings, live_engine, live=False)
                projector = Projector(target, projection_of(sections), keys)
                events = rebuild(EventLogReader(log_engine), projector, live_position, progress)
                with _consistent(target) as rebuilt:
                    rebuilt_position = _position(rebuilt)
                    if rebuilt_position != live_position:
                        differences.add(
                            f"checkpoint: live read models at {live_position}, the log "
                            f"replays to {rebuilt_position}"
                        )
                    compare_tables(live, rebuilt, tables, personal, differences)
    finally:
        live_engine.dispose()
        log_engine.dispose()
    found = differences.as_list()
    return ReplayReport(equal=not found, events=events, differences=found)


def rebuild(reader: EventLogReader, projector: Projector, up_to: int, progress: bool) -> int:
    """Apply log entries 1..``up_to``; returns how many were read."""
    read = 0
    with tqdm(total=up_to, unit="event", desc="replaying", disable=not progress) as bar:
        while (position := projector.position()) < up_to:
            rows = read_rows_after(reader.engine, position, BATCH_SIZE, up_to)
            if not rows:
                break  # the log ends before the live checkpoint: the caller reports it
            projector.apply_rows(rows)
            read += len(rows)
            bar.update(rows.last_position - position)
    return read


@contextmanager
def _few_collections() -> Iterator[None]:
    """A replay allocates millions of short-lived objects and hardly a cycle; the cyclic
    collector at its defaults ran every 700 allocations and scanned what the imports made too
    (``gc.freeze`` sets that aside): 14.2 against 15.0-16.5 µs of CPU per event in three
    alternating runs of 100,000 events. The collector's settings come back afterwards."""
    threshold = gc.get_threshold()
    freezing = gc.get_freeze_count() == 0  # someone else's frozen objects stay theirs
    if freezing:
        gc.freeze()
    gc.set_threshold(50_000, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if freezing:
            gc.unfreeze()


@contextmanager
def _consistent(engine: Engine) -> Iterator[Connection]:
    """A connection inside one transaction that sees one moment of the store throughout."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            yield connection


def _position(connection: Connection) -> int:
    return int(
        connection.execute(
            sa.select(checkpoint.c.position).where(checkpoint.c.projection == PROJECTION)
        ).scalar_one()
    )


def snapshot(engine: Engine, compared: Sequence[sa.Table]) -> tuple[int, Snapshot]:
    """The checkpoint and every row of ``compared``, read in one consistent transaction (in
    memory: for tests and small stores; a replay compares streamed, ``replay_compare``)."""
    with _consistent(engine) as connection:
        position = _position(connection)
        tables: Snapshot = {}
        for table in compared:
            keys = list(table.primary_key.columns)
            rows = connection.execute(sa.select(table).order_by(*keys))
            tables[table.name] = {
                "/".join(str(row._mapping[key.name]) for key in keys): dict(row._mapping)
                for row in rows
            }
    return position, tables


@contextmanager
def fresh_store(target_url: str | None, compared: Sequence[sa.Table]) -> Iterator[Engine]:
    """A migrated, empty read-model store at ``target_url`` (a temporary SQLite file, removed
    afterwards, when None); refuses one that holds rows already."""
    folder = None
    if target_url is None:
        folder = Path(tempfile.mkdtemp(prefix="gravity-replay-"))
        target_url = f"sqlite:///{folder / 'read_models.db'}"
    upgrade_to_head(target_url, MIGRATIONS)
    engine = create_database_engine(target_url)
    if folder is not None:
        # A temporary store is thrown away after the comparison: a power cut loses nothing
        # that the log cannot give again, so its commits need not wait for the disk.
        sa.event.listen(engine, "connect", _without_fsync)
    try:
        with _consistent(engine) as connection:
            filled = _position(connection) or any(
                connection.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first()
                for table in compared
            )
        if filled:
            raise ValueError("the replay target must be an empty read-model store")
        yield engine
    finally:
        engine.dispose()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def _without_fsync(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()
