"""Applies logged events to the read models, batch by batch, checkpoint in the same commit.

Every handler overwrites rather than accumulates (a registration replaces the row, a
screening sets the decision), so applying a suffix of the log again, from an older
checkpoint, ends in the same state. Unknown event types and payloads that fail their
contract are skipped and the checkpoint still moves past them: one odd event must not stall
every reader of the gateway.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, Row

from gateway.core.privacy import ERASURE, ReadModelKeys, erase_subject_rows
from gateway.core.projection import ProjectionHandler
from gateway.core.projection_inputs import CANONICAL_TIMESTAMP, PayloadLoader
from gateway.core.tables import PROJECTION, checkpoint
from gateway.core.write_batch import WriteBatch
from shared.contracts import CONTRACTS
from shared.contracts.registry import InvalidPayloadError, UnknownEventTypeError
from shared.eventlog.chain import envelope_from_row
from shared.eventlog.reader import LoggedEvent
from shared.events.canonical import format_timestamp
from shared.events.envelope import Envelope
from shared.logging import get_logger
from shared.privacy.keystore import KnownKey
from shared.privacy.payloads import open_envelope
from shared.privacy.sealing import PREFIX as SEALED_PREFIX
from shared.privacy.sealing import is_sealed
from shared.privacy.traces import truncate_write_ahead_log

log = get_logger(__name__)


class Projector:
    """Keeps the read models of one database up to date with the event log, with each
    section's handlers (event type -> handler)."""

    def __init__(
        self,
        engine: Engine,
        handlers: Mapping[str, ProjectionHandler],
        keys: ReadModelKeys | None = None,
    ) -> None:
        self._engine = engine
        self._handlers = handlers
        self._keys = keys
        self._loader = PayloadLoader()

    def position(self) -> int:
        """The checkpoint: the last log position whose effects are in the tables."""
        with self._engine.connect() as connection:
            return _checkpoint(connection)

    def apply(self, batch: Sequence[LoggedEvent]) -> int:
        """Apply the events after the checkpoint, in one transaction; returns the new one.
        Sealed personal fields are opened first (``gateway.core.privacy``)."""
        return self._apply([_Entry(e.position, e.envelope.event_type, e.envelope) for e in batch])

    def apply_rows(self, rows: Sequence[Row[Any]]) -> int:
        """``apply`` for ``event_log`` rows as stored (``projection_inputs.read_rows_after``).

        An entry whose payload holds no sealed field and that erases no one goes the fast
        way: its parsed JSON is loaded by ``PayloadLoader`` (the same values as the contract
        gives), with no envelope object. The others are rebuilt as envelopes and applied as
        ``apply`` does."""
        entries = []
        for row in rows:
            payload = json.loads(row.payload)
            if (
                row.event_type == ERASURE
                or not isinstance(payload, dict)
                or not CANONICAL_TIMESTAMP.match(row.occurred_at)
                or _holds_sealed(row, payload)
            ):
                entries.append(_Entry(row.position, row.event_type, envelope_from_row(row)))
            else:
                entries.append(_Entry(row.position, row.event_type, None, row, payload))
        return self._apply(entries)

    def _apply(self, entries: list[_Entry]) -> int:
        keys: dict[str, KnownKey] = {}
        if self._keys is not None:
            keys = self._keys.prepare([e.envelope for e in entries if e.envelope is not None])
        with self._engine.begin() as connection:
            current = _checkpoint(connection, lock=True)
            # The handlers' row writes go out grouped, a few executemany per batch.
            writes = cast(Connection, WriteBatch(connection))
            for entry in sorted(entries, key=lambda entry: entry.position):
                if entry.position <= current:
                    continue
                if entry.envelope is not None:
                    _apply_one(writes, entry.position, entry.envelope, self._handlers, keys)
                else:
                    self._apply_fast(writes, entry)
                current = entry.position
            cast(WriteBatch, writes).flush()
            connection.execute(
                checkpoint.update()
                .where(checkpoint.c.projection == PROJECTION)
                .values(position=current)
            )
        erasing = any(entry.event_type == ERASURE for entry in entries)
        if erasing and self._keys is not None and self._keys.destroys:
            truncate_write_ahead_log(self._engine)
        return current

    def _apply_fast(self, connection: Connection, entry: _Entry) -> None:
        row = entry.row
        assert row is not None
        assert entry.payload is not None
        handler = self._handlers.get(entry.event_type)
        if handler is None:
            _skipped(entry.event_type, entry.position, "unknown_type")
            return
        try:
            values = self._loader.load(entry.event_type, row.schema_version, entry.payload)
        except (UnknownEventTypeError, InvalidPayloadError):
            _skipped(entry.event_type, entry.position, "invalid_payload")
            return
        handler(connection, values, row.occurred_at)  # canonical: checked in apply_rows

    def close(self) -> None:
        """Release what the projector holds open besides its engine (the key requests')."""
        if self._keys is not None:
            self._keys.close()

    def rewind(self, position: int) -> None:
        """Move the checkpoint back (say, to re-apply a stretch of the log); rows stay."""
        with self._engine.begin() as connection:
            connection.execute(
                checkpoint.update()
                .where(checkpoint.c.projection == PROJECTION)
                .values(position=position)
            )


def _checkpoint(connection: Connection, *, lock: bool = False) -> int:
    query = sa.select(checkpoint.c.position).where(checkpoint.c.projection == PROJECTION)
    if lock:
        query = query.with_for_update()
    return int(connection.execute(query).scalar_one())


@dataclass(frozen=True, slots=True)
class _Entry:
    """One log entry to apply: its envelope, or (the fast way) its row and parsed payload."""

    position: int
    event_type: str
    envelope: Envelope | None
    row: Row[Any] | None = None
    payload: dict[str, Any] | None = None


def _holds_sealed(row: Row[Any], payload: dict[str, Any]) -> bool:
    if SEALED_PREFIX not in row.payload:  # most entries: one search of the stored text
        return False
    names = _personal_fields(row.event_type, row.schema_version)
    return any(is_sealed(payload.get(name)) for name in names)


@functools.cache
def _personal_fields(event_type: str, version: int) -> frozenset[str]:
    try:
        return CONTRACTS.get(event_type, version).personal_fields
    except UnknownEventTypeError:
        return frozenset()


def _skipped(event_type: str, position: int, reason: str) -> None:
    if reason == "unknown_type":
        log.debug(
            "readmodel.event_skipped", event_type=event_type, position=position, reason=reason
        )
    else:
        log.warning(
            "readmodel.event_skipped", event_type=event_type, position=position, reason=reason
        )


def _apply_one(
    connection: Connection,
    position: int,
    logged: Envelope,
    handlers: Mapping[str, ProjectionHandler],
    keys: Mapping[str, KnownKey],
) -> None:
    envelope: Envelope = open_envelope(logged, keys)
    if envelope.event_type == ERASURE:
        erase_subject_rows(connection, str(envelope.payload.get("subject_id")))
    handler = handlers.get(envelope.event_type)
    if handler is None:
        _skipped(envelope.event_type, position, "unknown_type")
        return
    try:
        values = CONTRACTS.load(envelope)
    except (UnknownEventTypeError, InvalidPayloadError):
        _skipped(envelope.event_type, position, "invalid_payload")
        return
    handler(connection, values, format_timestamp(envelope.occurred_at))
