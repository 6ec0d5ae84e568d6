"""Appending to the global log: exactly once per event, gapless, chained, one writer at a time."""

from __future__ import annotations

import hashlib
from collections import namedtuple
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from shared.eventlog.chain import envelope_from_row, envelope_text
from shared.eventlog.screening import Refusal, quarantine
from shared.eventlog.tables import HEAD_ROW_ID, event_log, log_head
from shared.events.canonical import canonical_bytes, format_timestamp
from shared.events.envelope import Envelope
from shared.eventstore.driver_sql import DriverInSelect, DriverStatement
from shared.messaging.topology import event_exchange

# A batch's statements, rendered once and run on the driver's cursor
# (``shared.eventstore.driver_sql``): built and run through SQLAlchemy's execute per batch, the
# head's lock, the look-up of logged ids, the insert and the head's move were a fifth of the
# log's CPU in a sampled bench/registrations.py run (docs/performance.md, "The event log's
# batch on driver statements").
_LOCK_HEAD = DriverStatement(
    sa.select(log_head.c.position, log_head.c.hash)
    .where(log_head.c.id == sa.bindparam("id"))
    .with_for_update()
)
_LOGGED = DriverInSelect(
    [event_log.c.event_id, event_log.c.position, event_log.c.envelope], event_log.c.event_id
)
_Logged = namedtuple("_Logged", ["event_id", "position", "envelope"])
_INSERT = DriverStatement(
    event_log.insert().values(
        {
            name: sa.bindparam(name)
            for name in ("position", "recorded_at", "prev_hash", "hash", "envelope")
        }
    )
)
_MOVE_HEAD = DriverStatement(
    log_head.update()
    .where(log_head.c.id == sa.bindparam("id"))
    .values(position=sa.bindparam("position"), hash=sa.bindparam("hash"))
)


class EventLogAppender:
    """Writes batches of envelopes to the log, each batch in one transaction.

    Positions come from the ``log_head`` row, read under a lock (``SELECT ... FOR UPDATE``
    on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already admits one writer), so that two
    appenders running at once queue up instead of handing out the same position.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def append_batch(
        self, envelopes: Iterable[Envelope], refused: Sequence[Refusal] = ()
    ) -> list[int]:
        """Log the envelopes not logged yet, in the given order; returns their new positions.

        An event whose ``event_id`` is already in the log (a redelivery) or earlier in the same
        batch is skipped, so the returned list may be shorter than the batch; if its content
        differs from the logged one, it is quarantined instead, as are the ``refused`` events
        (``screening.py``), in the same transaction. An envelope that could not be read back
        unchanged raises ``MalformedEnvelopeError`` and nothing of the batch is written.
        """
        batch, twins = _unique(envelopes)
        if not batch and not refused:
            return []
        texts = [envelope_text(_readable(envelope)) for envelope in batch]
        with self._engine.begin() as connection:
            position, prev_hash = _lock_head(connection)
            logged = _already_logged(connection, [envelope.event_id for envelope in batch])
            twins = [_logged_twin(twin, logged) for twin in twins]
            quarantine(connection, [*refused, *twins, *_conflicts(batch, logged)])
            recorded_at = format_timestamp(datetime.now(UTC))
            rows, positions = [], []
            for envelope, text in zip(batch, texts, strict=True):
                if envelope.event_id in logged:
                    continue
                position += 1
                # The stored text is the hashed text: docs/event-log.md, "The hash chain".
                header = f"{position}\n{recorded_at}\n{prev_hash}\n"
                digest = hashlib.sha256((header + text).encode()).hexdigest()
                rows.append(
                    {"position": position, "recorded_at": recorded_at, "envelope": text}
                    | {"prev_hash": prev_hash, "hash": digest}
                )
                positions.append(position)
                prev_hash = digest
            if rows:
                _INSERT.run_many(connection, rows)
                _MOVE_HEAD.run(
                    connection, {"id": HEAD_ROW_ID, "position": position, "hash": prev_hash}
                )
        return positions


def _unique(envelopes: Iterable[Envelope]) -> tuple[list[Envelope], list[Refusal]]:
    """The batch without repeated event ids, and the repeats whose content differs."""
    seen: dict[str, Envelope] = {}
    batch, twins = [], []
    for envelope in envelopes:
        first = seen.get(envelope.event_id)
        if first is None:
            seen[envelope.event_id] = envelope
            batch.append(envelope)
        elif first.unsigned_dict() != envelope.unsigned_dict():
            twins.append(_twin(envelope, "an event with this id but other content came first"))
    return batch, twins


def _conflicts(batch: list[Envelope], logged: dict[str, Any]) -> list[Refusal]:
    """Envelopes whose id is logged already with other content. The signature is not content:
    an event signed again after a key rotation (its relay stopped between publishing it and
    deleting its outbox mark) is a redelivery."""
    found = []
    for envelope in batch:
        stored = logged.get(envelope.event_id)
        if stored is not None and _content(envelope) != _stored_content(stored):
            found.append(_twin(envelope, _logged_elsewhere(stored.position)))
    return found


def _content(envelope: Envelope) -> bytes:
    return canonical_bytes(envelope.unsigned_dict())


def _stored_content(row: Any) -> bytes | None:
    try:
        return _content(envelope_from_row(row))
    except ValueError:  # a damaged entry: whatever came now is not a redelivery of it
        return None


def _logged_twin(twin: Refusal, logged: dict[str, Any]) -> Refusal:
    """A batch's twin whose id is also logged already is told so."""
    stored = logged.get(twin.envelope.event_id)
    if stored is None:
        return twin
    return _twin(twin.envelope, _logged_elsewhere(stored.position))


def _logged_elsewhere(position: int) -> str:
    return f"its event id is logged at position {position} with other content"


def _twin(envelope: Envelope, reason: str) -> Refusal:
    # It passed screening, so it came through its producer's exchange.
    return Refusal(envelope, event_exchange(envelope.producer), reason)


def _readable(envelope: Envelope) -> Envelope:
    # Verification and readers rebuild envelopes with ``from_dict``; refuse anything it would
    # reject now, rather than log an entry that can never be read or verified.
    Envelope.from_dict(envelope.to_dict())
    return envelope


def _lock_head(connection: Connection) -> tuple[int, str]:
    cursor = _LOCK_HEAD.run(connection, {"id": HEAD_ROW_ID})
    (position, head_hash), *more = cursor.fetchall()
    cursor.close()
    assert not more, "the log has one head row"
    return int(position), str(head_hash)


def _already_logged(connection: Connection, event_ids: list[str]) -> dict[str, Any]:
    """The logged entries (event id, position, envelope text) of these event ids (almost
    always none: a redelivery is rare)."""
    return {row[0]: _Logged._make(row) for row in _LOGGED.rows(connection, event_ids)}
