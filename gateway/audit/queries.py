"""What the auditor API reads: the event log itself (never the read models), never writing.

Built on the gateway's event-log engine (``Section.log_reads``). Every answer that takes more
than one query reads one snapshot, so that a head and its checkpoint, or a proof's leaves and
its signed root, belong to the same moment of a log that keeps growing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gateway.core.errors import ApiError
from gateway.core.section import ReadModelQueries
from shared.eventlog.checkpoints import read_checkpoints
from shared.eventlog.proofs import ProofError, prove_consistency, prove_inclusion
from shared.eventlog.reader import EventLogReader
from shared.eventlog.redaction import audit_line
from shared.eventlog.tables import HEAD_ROW_ID, event_log, log_checkpoints, log_head

Row = dict[str, Any]


class AuditReads(ReadModelQueries):
    """The log's entries (personal fields redacted), head, checkpoints and Merkle proofs."""

    def events(
        self,
        *,
        after: int,
        limit: int,
        event_type: str | None = None,
        stream_id: str | None = None,
        before: int | None = None,
        recorded_from: datetime | None = None,
        recorded_until: datetime | None = None,
    ) -> list[Row]:
        """A page of entries in position order, each as ``gravity audit events`` prints it."""
        page = EventLogReader(self._engine).read_after(
            after,
            limit,
            event_type=event_type,
            stream_id=stream_id,
            before=before,
            recorded_from=recorded_from,
            recorded_until=recorded_until,
        )
        return [audit_line(entry) for entry in page]

    def head(self) -> Row:
        """The last position and hash, with the newest checkpoint signed at or before it."""
        with self._snapshot() as connection:
            position, digest = connection.execute(
                sa.select(log_head.c.position, log_head.c.hash).where(log_head.c.id == HEAD_ROW_ID)
            ).one()
            newest = connection.execute(sa.select(sa.func.max(log_checkpoints.c.position))).scalar()
            signed = read_checkpoints(connection, after=int(newest) - 1, limit=1) if newest else []
        checkpoint = dataclasses.asdict(signed[0]) if signed else None
        return {"position": position, "hash": digest, "checkpoint": checkpoint}

    def checkpoints(self, *, after: int, limit: int) -> list[Row]:
        with self._engine.connect() as connection:
            page = read_checkpoints(connection, after=after, limit=limit)
        return [dataclasses.asdict(checkpoint) for checkpoint in page]

    def inclusion_proof(self, event_id: str, size: int | None) -> Row:
        """404 EVENT_NOT_IN_LOG for an unknown event, 409 PROOF_UNAVAILABLE otherwise (the log as
        it stands cannot give the proof asked for)."""
        with self._snapshot() as connection:
            logged = connection.execute(
                sa.select(event_log.c.position).where(event_log.c.event_id == event_id)
            ).first()
            if logged is None:
                raise ApiError(
                    "EVENT_NOT_IN_LOG",
                    "no entry of the log has this event id",
                    {"event_id": event_id},
                )
            try:
                return prove_inclusion(connection, event_id, size).as_json()
            except ProofError as error:
                raise _unavailable(error, event_id=event_id, size=size) from None

    def consistency_proof(self, old_size: int, new_size: int) -> Row:
        with self._snapshot() as connection:
            try:
                return prove_consistency(connection, old_size, new_size).as_json()
            except ProofError as error:
                raise _unavailable(error, **{"from": old_size, "to": new_size}) from None

    @contextmanager
    def _snapshot(self) -> Iterator[Connection]:
        """One read-only transaction; on PostgreSQL one snapshot for all its statements (a
        SQLite read transaction is one already)."""
        with self._engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                yield connection


def _unavailable(error: ProofError, **asked: object) -> ApiError:
    # The messages name positions, sizes and event ids only: nothing personal.
    return ApiError("PROOF_UNAVAILABLE", str(error), {"asked": asked})
