"""Applies logged events to the read models, batch by batch, checkpoint in the same commit.

Every handler overwrites rather than accumulates (a registration replaces the row, a
screening sets the decision), so applying a suffix of the log again, from an older
checkpoint, ends in the same state. Unknown event types and payloads that fail their
contract are skipped and the checkpoint still moves past them: one odd event must not stall
every reader of the gateway.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gateway.core.privacy import ERASURE, ReadModelKeys, erase_subject_rows
from gateway.core.projection import ProjectionHandler
from gateway.core.tables import PROJECTION, checkpoint
from gateway.core.write_batch import WriteBatch
from shared.contracts import CONTRACTS
from shared.contracts.registry import InvalidPayloadError, UnknownEventTypeError
from shared.eventlog.reader import LoggedEvent
from shared.events.canonical import format_timestamp
from shared.events.envelope import Envelope
from shared.logging import get_logger
from shared.privacy.keystore import KnownKey
from shared.privacy.payloads import open_envelope
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

    def position(self) -> int:
        """The checkpoint: the last log position whose effects are in the tables."""
        with self._engine.connect() as connection:
            return _checkpoint(connection)

    def apply(self, batch: Sequence[LoggedEvent]) -> int:
        """Apply the events after the checkpoint, in one transaction; returns the new one.
        Sealed personal fields are opened first (``gateway.core.privacy``)."""
        keys: dict[str, KnownKey] = {}
        if self._keys is not None:
            keys = self._keys.prepare([logged.envelope for logged in batch])
        with self._engine.begin() as connection:
            current = _checkpoint(connection, lock=True)
            # The handlers' row writes go out grouped, a few executemany per batch.
            writes = WriteBatch(connection)
            for logged in sorted(batch, key=lambda entry: entry.position):
                if logged.position <= current:
                    continue
                _apply_one(cast(Connection, writes), logged, self._handlers, keys)
                current = logged.position
            writes.flush()
            connection.execute(
                checkpoint.update()
                .where(checkpoint.c.projection == PROJECTION)
                .values(position=current)
            )
        erasing = any(logged.envelope.event_type == ERASURE for logged in batch)
        if erasing and self._keys is not None and self._keys.destroys:
            truncate_write_ahead_log(self._engine)
        return current

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


def _apply_one(
    connection: Connection,
    logged: LoggedEvent,
    handlers: Mapping[str, ProjectionHandler],
    keys: Mapping[str, KnownKey],
) -> None:
    envelope: Envelope = open_envelope(logged.envelope, keys)
    if envelope.event_type == ERASURE:
        erase_subject_rows(connection, str(envelope.payload.get("subject_id")))
    handler = handlers.get(envelope.event_type)
    if handler is None:
        log.debug(
            "readmodel.event_skipped",
            event_type=envelope.event_type,
            position=logged.position,
            reason="unknown_type",
        )
        return
    try:
        values = CONTRACTS.load(envelope)
    except (UnknownEventTypeError, InvalidPayloadError):
        log.warning(
            "readmodel.event_skipped",
            event_type=envelope.event_type,
            position=logged.position,
            reason="invalid_payload",
        )
        return
    handler(connection, values, format_timestamp(envelope.occurred_at))
