"""Appending to the global log: exactly once per event, gapless, chained, one writer at a time."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from shared.eventlog.chain import entry_hash, envelope_columns
from shared.eventlog.tables import HEAD_ROW_ID, event_log, log_head
from shared.events.canonical import format_timestamp
from shared.events.envelope import Envelope


class EventLogAppender:
    """Writes batches of envelopes to the log, each batch in one transaction.

    Positions come from the ``log_head`` row, read under a lock (``SELECT ... FOR UPDATE``
    on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already admits one writer), so that two
    appenders running at once queue up instead of handing out the same position.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def append_batch(self, envelopes: Iterable[Envelope]) -> list[int]:
        """Log the envelopes not logged yet, in the given order; returns their new positions.

        An event whose ``event_id`` is already in the log (a redelivery) or earlier in the same
        batch is skipped, so the returned list may be shorter than the batch. An envelope that
        could not be read back unchanged raises ``MalformedEnvelopeError`` and nothing of the
        batch is written.
        """
        batch = _unique(envelopes)
        if not batch:
            return []
        columns = [envelope_columns(_readable(envelope)) for envelope in batch]
        with self._engine.begin() as connection:
            position, prev_hash = _lock_head(connection)
            logged = _already_logged(connection, [row["event_id"] for row in columns])
            recorded_at = format_timestamp(datetime.now(UTC))
            rows, positions = [], []
            for envelope, values in zip(batch, columns, strict=True):
                if envelope.event_id in logged:
                    continue
                position += 1
                digest = entry_hash(position, recorded_at, prev_hash, envelope.to_dict())
                rows.append(
                    values
                    | {"position": position, "recorded_at": recorded_at}
                    | {"prev_hash": prev_hash, "hash": digest}
                )
                positions.append(position)
                prev_hash = digest
            if rows:
                connection.execute(event_log.insert(), rows)
                connection.execute(
                    log_head.update()
                    .where(log_head.c.id == HEAD_ROW_ID)
                    .values(position=position, hash=prev_hash)
                )
        return positions


def _unique(envelopes: Iterable[Envelope]) -> list[Envelope]:
    seen: set[str] = set()
    batch = []
    for envelope in envelopes:
        if envelope.event_id not in seen:
            seen.add(envelope.event_id)
            batch.append(envelope)
    return batch


def _readable(envelope: Envelope) -> Envelope:
    # Verification and readers rebuild envelopes with ``from_dict``; refuse anything it would
    # reject now, rather than log an entry that can never be read or verified.
    Envelope.from_dict(envelope.to_dict())
    return envelope


def _lock_head(connection: Connection) -> tuple[int, str]:
    head = connection.execute(
        sa.select(log_head.c.position, log_head.c.hash)
        .where(log_head.c.id == HEAD_ROW_ID)
        .with_for_update()
    ).one()
    return int(head.position), str(head.hash)


def _already_logged(connection: Connection, event_ids: list[str]) -> set[str]:
    found: set[str] = set()
    # Chunked to stay under SQLite's bound-parameter limit on big batches.
    for start in range(0, len(event_ids), 500):
        chunk = event_ids[start : start + 500]
        found.update(
            connection.execute(
                sa.select(event_log.c.event_id).where(event_log.c.event_id.in_(chunk))
            ).scalars()
        )
    return found
