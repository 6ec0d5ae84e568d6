"""Applies logged events to the read models, batch by batch, checkpoint in the same commit.

Every handler overwrites rather than accumulates (a registration replaces the row, a
screening sets the decision), so applying a suffix of the log again, from an older
checkpoint, ends in the same state. Unknown event types and payloads that fail their
contract are skipped and the checkpoint still moves past them: one odd event must not stall
every reader of the gateway.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gateway.core.log_rows import Entry, LogRows, Sealer
from gateway.core.privacy import ERASURE, ReadModelKeys, erase_subject_rows
from gateway.core.projection import ProjectionHandler
from gateway.core.projection_inputs import PayloadLoader
from gateway.core.tables import PROJECTION, checkpoint
from gateway.core.write_batch import WriteBatch
from shared.contracts.registry import InvalidPayloadError, Payload, UnknownEventTypeError
from shared.eventlog.chain import envelope_from_row
from shared.eventlog.reader import LoggedEvent
from shared.events.canonical import format_timestamp
from shared.events.envelope import Envelope
from shared.eventstore.database import autocommitted
from shared.logging import get_logger
from shared.privacy.keystore import KnownKey
from shared.privacy.payloads import open_envelope, open_payload, payload_key_ids
from shared.privacy.traces import truncate_write_ahead_log

log = get_logger(__name__)


class ReadModelCheckpoint:
    """Where the read models of one database stand in the log, for those who only read it (the
    gateway's probes, metrics and operations view): no handlers, no keys."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def position(self) -> int:
        """The last log position whose effects are in the tables."""
        with autocommitted(self._engine) as connection:
            return _checkpoint(connection)


class Projector:
    """Keeps the read models of one database up to date with the event log, with each
    section's handlers (event type -> handler)."""

    def __init__(
        self,
        engine: Engine,
        handlers: Mapping[str, ProjectionHandler],
        keys: ReadModelKeys | None = None,
        loader: PayloadLoader | None = None,
    ) -> None:
        self._engine = engine
        self._checkpoint = ReadModelCheckpoint(engine)
        self._handlers = handlers
        self._keys = keys
        # How payloads become handler inputs (a test gives one that takes the full contract).
        self._loader = loader or PayloadLoader()

    def position(self) -> int:
        """The checkpoint: the last log position whose effects are in the tables."""
        return self._checkpoint.position()

    def apply(self, batch: Sequence[LoggedEvent]) -> int:
        """Apply the events after the checkpoint, in one transaction; returns the new one.
        Sealed personal fields are opened first (``gateway.core.privacy``)."""
        entries: list[Entry] = [(e.position, e.envelope.event_type, 0, "", "") for e in batch]
        return self._apply(entries, {e.position: e.envelope for e in batch})

    def apply_rows(self, rows: LogRows, *, after: int | None = None) -> int:
        """``apply`` for log entries as stored (``log_rows.read_rows_after``).

        ``after``: the position the rows were read after, as the reader last knew the
        checkpoint (``CatchUpSubscription`` keeps it between batches instead of reading it
        before each). Should the checkpoint stand before it (moved back by ``rewind``), nothing
        is applied and the checkpoint is returned, for the reader to read from there.

        An entry that erases no one goes the fast way: its parsed JSON, its sealed fields
        opened with its event id (``rows.sealed``) as ``open_envelope`` opens them, is loaded by
        ``PayloadLoader`` (the same values as the contract gives), with no envelope object.
        The others are rebuilt as envelopes from their whole rows and applied as ``apply``
        does."""
        whole = rows.whole
        envelopes = {position: envelope_from_row(whole[position]) for position in sorted(whole)}
        return self._apply(rows.entries, envelopes, after, rows.sealed)

    def _apply(
        self,
        entries: list[Entry],
        envelopes: dict[int, Envelope],
        after: int | None = None,
        sealers: Mapping[int, Sealer] | None = None,
    ) -> int:
        """Apply ``entries``: those in ``envelopes`` the envelope way, the others the fast
        way (their stored version, ``occurred_at`` and payload text; those in ``sealers``
        opened first)."""
        # The sealed entries' payloads parsed before the batch's keys are gathered (in one go
        # with the envelopes'), and the key ids each needs read from them.
        sealed: dict[int, tuple[str, dict[str, Any]]] = {}
        wanted: list[tuple[str, set[str]]] = []
        for position, event_type, version, _, text in entries if sealers else ():
            sealer = sealers.get(position) if sealers else None
            if sealer is not None and position not in envelopes:
                parsed = _parsed(text)
                sealed[position] = (sealer[0], parsed)
                wanted.append((sealer[1], payload_key_ids(event_type, version, parsed)))
        keys: dict[str, KnownKey] = {}
        if self._keys is not None:
            keys = self._keys.prepare(list(envelopes.values()), wanted)
        entries.sort(key=itemgetter(0))  # in log order (most often already: one pass)
        handlers, load = self._handlers, self._loader.load
        with self._engine.begin() as connection:
            current = _checkpoint(connection, lock=True)
            if after is not None and current < after:
                return current  # moved back meanwhile: entries after it would be skipped
            # The handlers' row writes go out grouped, a few executemany per batch.
            writes = cast(Connection, WriteBatch(connection))
            # One loop for every entry (a replay runs it a million times): the fast way
            # inline, the envelope way through ``_apply_one``.
            for position, event_type, version, occurred_at, payload in entries:
                if position <= current:
                    continue
                current = position
                if position in envelopes:
                    _apply_one(writes, position, envelopes[position], handlers, keys, load=load)
                    continue
                handler = handlers.get(event_type)
                if handler is None:
                    _skipped(event_type, position, "unknown_type")
                    continue
                if position in sealed:
                    event_id, parsed = sealed[position]
                    parsed = open_payload(event_type, version, event_id, parsed, keys)
                else:
                    parsed = _parsed(payload)
                try:
                    values = load(event_type, version, parsed)
                except (UnknownEventTypeError, InvalidPayloadError):
                    _skipped(event_type, position, "invalid_payload")
                    continue
                handler(writes, values, occurred_at)  # canonical: checked by read_rows_after
            cast(WriteBatch, writes).flush()
            connection.execute(_MOVE_CHECKPOINT, {"position": current})
        erasing = any(entry[1] == ERASURE for entry in entries)
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
            connection.execute(_MOVE_CHECKPOINT, {"position": position})


# Built once, so that every batch finds them compiled (built per batch, with their cache keys,
# they were a tenth of the live subscription's CPU).
_READ_CHECKPOINT = sa.select(checkpoint.c.position).where(checkpoint.c.projection == PROJECTION)
_LOCK_CHECKPOINT = _READ_CHECKPOINT.with_for_update()
_MOVE_CHECKPOINT = (
    checkpoint.update()
    .where(checkpoint.c.projection == PROJECTION)
    .values(position=sa.bindparam("position"))
)


def _checkpoint(connection: Connection, *, lock: bool = False) -> int:
    query = _LOCK_CHECKPOINT if lock else _READ_CHECKPOINT
    return int(connection.execute(query).scalar_one())


_decode = json.JSONDecoder().raw_decode


def _parsed(text: str) -> dict[str, Any]:
    """``json.loads`` of a stored payload (an object, ``read_rows_after`` checked), without
    its checks for white space around the text where there is none (2 µs a payload)."""
    try:
        value, end = _decode(text)
    except ValueError:
        value, end = None, -1
    if end != len(text) or not isinstance(value, dict):
        value = json.loads(text)  # raises as it always did, or the rare padded text
    return cast(dict[str, Any], value)


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
    *,
    load: Callable[[str, int, Payload], Payload],
) -> None:
    envelope: Envelope = open_envelope(logged, keys)
    if envelope.event_type == ERASURE:
        erase_subject_rows(connection, envelope)
    handler = handlers.get(envelope.event_type)
    if handler is None:
        _skipped(envelope.event_type, position, "unknown_type")
        return
    try:
        # The opened payload through the plan too (``PayloadLoader``: what the contract gives,
        # 1 µs against its 21 for a registration): in production every registration is sealed.
        values = load(envelope.event_type, envelope.schema_version, envelope.payload)
    except (UnknownEventTypeError, InvalidPayloadError):
        _skipped(envelope.event_type, position, "invalid_payload")
        return
    handler(connection, values, format_timestamp(envelope.occurred_at))
