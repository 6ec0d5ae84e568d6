"""The event log's entries as the projector reads them: five columns straight from the driver.

A replay reads every entry of the log once, so what a read costs per entry counts: the
projector's fast way needs an entry's position, type, version, ``occurred_at`` and payload
text, and these come as the driver's own tuples (SQLAlchemy's result rows, and the envelope's
other columns, were a tenth of a replay's CPU). An entry that may need its whole envelope (one
that erases a subject, has a timestamp or payload not in canonical form) is read again whole,
with the others of its batch in one query, for ``envelope_from_row``. An entry whose payload
holds sealed text (every registration in production) needs only two more of its fields to be
opened: its event id, which each sealed value is bound to, and its producer, the owner of its
keys; these are read for the batch's sealed entries in one query.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect, Engine, Row
from sqlalchemy.sql.compiler import SQLCompiler

from gateway.core.privacy import ERASURE
from gateway.core.projection_inputs import CANONICAL_TIMESTAMP
from shared.eventlog.tables import event_log
from shared.eventstore.database import autocommitted
from shared.eventstore.driver_sql import DriverInSelect
from shared.privacy.sealing import PREFIX as SEALED_PREFIX

Entry = tuple[int, str, int, str, str]  # position, type, version, occurred_at, payload text
Sealer = tuple[str, str]  # event id, producer: what opening a sealed payload needs besides it
_READ = ("position", "event_type", "schema_version", "occurred_at", "payload")
_SEALER = ("position", "event_id", "producer")
_HEADER = ("recorded_at", "prev_hash", "hash")  # the chain's own columns: no envelope field


@dataclass(frozen=True)
class LogRows:
    """A batch of log entries, ascending, the whole stored row of each that may need its
    envelope, and the event id and producer of each other one whose payload holds sealed text
    (both by position)."""

    entries: list[Entry]
    whole: dict[int, Row[Any]]
    sealed: dict[int, Sealer] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def last_position(self) -> int:
        return self.entries[-1][0]


def needs_envelope(event_type: str, occurred_at: str, payload: str) -> bool:
    """Whether an entry may need its envelope rather than its parsed payload: an erasure, a
    payload not a JSON object as stored, a non-canonical timestamp. (Sealed text in the payload
    does not: ``is_sealed_text``.)"""
    return (
        event_type == ERASURE
        or not payload.startswith("{")
        or CANONICAL_TIMESTAMP.match(occurred_at) is None
    )


def is_sealed_text(payload: str) -> bool:
    """Whether a stored payload may hold a sealed value (its personal fields then need the
    entry's event id and keys to be read)."""
    return SEALED_PREFIX in payload


def read_rows_after(engine: Engine, position: int, limit: int, up_to: int | None = None) -> LogRows:
    """Up to ``limit`` entries after ``position`` (and not after ``up_to``), ascending."""
    with autocommitted(engine) as connection:  # logged entries never change: no transaction
        entries = _entries(connection, position, limit, up_to)
        wanted: list[int] = []
        sealers: list[int] = []
        for entry in entries:
            if needs_envelope(entry[1], entry[3], entry[4]):
                wanted.append(entry[0])
            elif is_sealed_text(entry[4]):
                sealers.append(entry[0])
        whole: dict[int, Row[Any]] = {}
        if wanted:
            columns = [c for c in event_log.columns if c.name not in _HEADER]
            query = sa.select(*columns).where(event_log.c.position.in_(wanted))
            whole = {row.position: row for row in connection.execute(query)}
        sealed = {row[0]: (row[1], row[2]) for row in _SEALERS.rows(connection, sealers)}
    return LogRows(entries, whole, sealed)


_SEALERS = DriverInSelect([event_log.c[name] for name in _SEALER], event_log.c.position)


def _entries(connection: Connection, position: int, limit: int, up_to: int | None) -> list[Entry]:
    compiled = _compiled(connection.dialect, bounded=up_to is not None)
    values = compiled.construct_params({"after": position, "up_to": up_to, "limit": limit})
    parameters: Any = values
    if compiled.positional:
        parameters = tuple(values[name] for name in compiled.positiontup or ())
    cursor = connection.connection.cursor()
    try:
        cursor.execute(compiled.string, parameters)
        return list(cursor.fetchall())
    finally:
        cursor.close()


@functools.cache
def _compiled(dialect: Dialect, *, bounded: bool) -> SQLCompiler:
    """The read of a batch in the driver's own SQL, compiled once per dialect."""
    position = event_log.c.position
    query = sa.select(*(event_log.c[name] for name in _READ)).where(
        position > sa.bindparam("after")
    )
    if bounded:
        query = query.where(position <= sa.bindparam("up_to"))
    compiled = query.order_by(position).limit(sa.bindparam("limit")).compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler)
    return compiled
