"""Append-only event streams with optimistic concurrency, plus the outbox marks."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, SessionTransaction

from shared.domain import ConcurrencyConflictError
from shared.events.canonical import format_timestamp, parse_timestamp
from shared.events.envelope import Envelope, stored_fields
from shared.eventstore.driver_sql import DriverStatement
from shared.eventstore.tables import events, outbox

# Built once: building a statement per call (and coercing its clauses) cost more CPU than
# SQLite spent running it (docs/performance.md, "The command path").
_STREAM_VERSION = sa.select(sa.func.max(events.c.stream_version)).where(
    events.c.stream_id == sa.bindparam("stream_id")
)
_STREAM_AFTER = (
    sa.select(events)
    .where(
        events.c.stream_id == sa.bindparam("stream_id"),
        events.c.stream_version > sa.bindparam("after_version"),
    )
    .order_by(events.c.stream_version)
)
# Per pooled connection (its ``info``, which lives as long as the driver's connection): the
# streams it read whole, with its data version then and their version (``note_read``).
_READS = "gravity.streams_read"
_MAX_READS = 10_000
# The two statements of every append, on the driver's cursor (``driver_sql`` says why).
_INSERT_EVENT = (
    events.insert()
    .values({column.name: sa.bindparam(column.name) for column in events.c if column.name != "seq"})
    .returning(events.c.seq)
)
_APPEND = DriverStatement(_INSERT_EVENT)
_MARK = DriverStatement(outbox.insert().values(seq=sa.bindparam("seq")))
# On PostgreSQL the two in one statement, one round trip instead of two: the insert in a CTE
# whose sequence number the outbox's row takes (SQLite has no insert in a CTE).
_APPENDED = _INSERT_EVENT.cte("appended")
_APPEND_MARKED = DriverStatement(outbox.insert().from_select(["seq"], sa.select(_APPENDED.c.seq)))
# A command's savepoint in a group (``EventStore.savepoint``), rendered once.
_SAVEPOINT = DriverStatement(sa.text("SAVEPOINT command"))
_RELEASE_SAVEPOINT = DriverStatement(sa.text("RELEASE SAVEPOINT command"))
_ROLLBACK_TO_SAVEPOINT = DriverStatement(sa.text("ROLLBACK TO SAVEPOINT command"))

# SQLite (3.24 on) and PostgreSQL both take ON CONFLICT DO NOTHING: an event consumed before
# inserts no row, with no error to roll back to a savepoint for (a SAVEPOINT and a Core insert
# per event were 27% of placement's CPU in a sampled bench/registrations.py run).
_CLAIM = DriverStatement(
    sa.text(
        "INSERT INTO inbox (consumer, event_id, consumed_at) "
        "VALUES (:consumer, :event_id, :consumed_at) ON CONFLICT DO NOTHING"
    )
)

# A registration takes its campaign's lock shared: through SQLAlchemy's execute of a text()
# built per call, that was 24% of the command path's CPU on PostgreSQL (bench/command_path.py
# --database postgresql, sampled), for a statement whose answer nobody reads.
_LOCK_SHARED = DriverStatement(sa.text("SELECT pg_advisory_xact_lock_shared(:key)"))
_LOCK_EXCLUSIVE = DriverStatement(sa.text("SELECT pg_advisory_xact_lock(:key)"))


def envelope_to_row(envelope: Envelope) -> dict[str, Any]:
    """The ``events`` columns of an envelope (payload as JSON text, keys sorted)."""
    payload = json.dumps(envelope.payload, sort_keys=True, ensure_ascii=False)
    return envelope.to_dict() | {"payload": payload}


def row_to_envelope(row: Any) -> Envelope:
    return Envelope(
        event_id=row.event_id,
        event_type=row.event_type,
        schema_version=row.schema_version,
        stream_id=row.stream_id,
        stream_version=row.stream_version,
        occurred_at=parse_timestamp(row.occurred_at),
        producer=row.producer,
        correlation_id=row.correlation_id,
        causation_id=row.causation_id,
        actor=row.actor,
        payload=json.loads(row.payload),
    )


def row_to_json(row: Any) -> str:
    """A stored row as the envelope's JSON, the same text as ``json.dumps(envelope.to_dict())``.

    The stored row already holds the canonical timestamp and the payload's JSON (keys sorted),
    so the payload is spliced in as it is rather than decoded and encoded again.
    """
    head = json.dumps(stored_fields(row), ensure_ascii=False)
    return f'{head[:-1]}, "payload": {row.payload}}}'


class EventStore:
    """Streams of one service's database, used inside a unit of work's transaction: on its
    connection (``UnitOfWork``), or on a session's.

    Its statements run on the connection directly: the ORM session's ``execute`` costs more
    than SQLite spends running them (docs/performance.md, "The command path").
    """

    def __init__(self, source: Session | Connection) -> None:
        self._session = source if isinstance(source, Session) else None
        self._own = source if isinstance(source, Connection) else None
        bind = source.get_bind() if isinstance(source, Session) else source
        self._postgres = bind.dialect.name == "postgresql"
        # Streams read or written in this transaction, and their version now. On SQLite the
        # transaction holds the database's write lock, so no one else can move them on.
        self._versions: dict[str, int] = {}
        self._data_version_now: int | None = None
        self._transaction: SessionTransaction | None = None
        self._connection: Connection | None = None

    @property
    def connection(self) -> Connection:
        """The connection, in a transaction (begun if needed).

        A unit of work's own connection is closed when the unit of work ends, so it can
        never be used after the pool has handed it on. A session's connection is kept only
        while the session's transaction that gave it is the session's active one:
        a connection kept past the session's commit or rollback could be used after the pool
        has handed it to another green thread. (Asking the session on every statement cost
        more than some of the statements, docs/performance.md.)
        """
        own = self._own
        if own is not None:
            if not own.in_transaction():
                own.begin()
            return own
        assert self._session is not None
        transaction = self._session.get_transaction()
        if (
            transaction is None
            or transaction is not self._transaction
            or not transaction.is_active
            or self._connection is None
        ):
            self._connection = self._session.connection()
            self._transaction = self._session.get_transaction()
        return self._connection

    @contextlib.contextmanager
    def savepoint(self) -> Iterator[None]:
        """A SAVEPOINT on the connection (a context: released on leaving, rolled back on an
        exception), which undoes what the statements inside wrote, and nothing before it.

        On the driver's cursor: SQLAlchemy's ``begin_nested`` compiled its SAVEPOINT and
        RELEASE anew each time, 0.4 ms a command of a group (docs/performance.md, "Group
        commit for consumed events")."""
        connection = self.connection
        _SAVEPOINT.run(connection, {}).close()
        try:
            yield
        except BaseException:
            if not connection.invalidated:  # a lost connection has no savepoint to go back to
                _ROLLBACK_TO_SAVEPOINT.run(connection, {}).close()
                _RELEASE_SAVEPOINT.run(connection, {}).close()
            raise
        _RELEASE_SAVEPOINT.run(connection, {}).close()

    def unchanged_since_read(self, stream_id: str, version: int) -> bool:
        """SQLite: this connection read the stream whole at ``version`` in an earlier write
        transaction (``note_read``), no other connection has committed anything since (its
        ``PRAGMA data_version`` is the same) and none of its own appends touched the stream.
        Then the stream is still at ``version``, and need not be read again."""
        if self._postgres:
            return False
        reads = self.connection.info.get(_READS)
        return reads is not None and reads.get(stream_id) == (self._data_version(), version)

    def note_read(self, stream_id: str, version: int) -> None:
        """The stream, read whole in this write transaction, is at ``version``."""
        if self._postgres:
            return
        reads = self.connection.info.setdefault(_READS, {})
        if len(reads) >= _MAX_READS:
            reads.clear()
        reads[stream_id] = (self._data_version(), version)

    def _data_version(self) -> int:
        if self._data_version_now is None:
            driver: Any = self.connection.connection.dbapi_connection
            self._data_version_now = int(driver.execute("PRAGMA data_version").fetchone()[0])
        return self._data_version_now

    def known_version(self, stream_id: str) -> int | None:
        """The stream's version as this transaction read or wrote it; None where another
        writer might have moved it on since (not read yet, or PostgreSQL)."""
        return None if self._postgres else self._versions.get(stream_id)

    def forget_versions(self) -> None:
        """A savepoint rolled back: what this transaction knew of its streams may be undone."""
        self._versions.clear()

    def lock_stream(self, stream_id: str, *, exclusive: bool) -> None:
        """Hold a lock on a stream until the transaction ends.

        A command that decides on a stream it does not write (a registration reads its
        campaign) takes it shared; a command that changes the stream takes it exclusive. So a
        campaign cannot close between a registration's check and its commit.

        PostgreSQL: a transaction-level advisory lock keyed by the stream id. SQLite needs
        none: every write transaction there begins IMMEDIATE and holds the database's single
        write lock from its first statement.
        """
        if not self._postgres:
            return
        digest = hashlib.blake2b(stream_id.encode(), digest_size=8).digest()
        lock = _LOCK_EXCLUSIVE if exclusive else _LOCK_SHARED
        lock.run(self.connection, {"key": int.from_bytes(digest, "big", signed=True)})

    def stream_version(self, stream_id: str) -> int:
        version = self.connection.execute(_STREAM_VERSION, {"stream_id": stream_id}).scalar()
        return int(version or 0)

    def load(self, stream_id: str, after_version: int = 0) -> list[Envelope]:
        """A stream's events in order, from ``after_version + 1`` on."""
        rows = self.connection.execute(
            _STREAM_AFTER, {"stream_id": stream_id, "after_version": after_version}
        )
        loaded = [row_to_envelope(row) for row in rows]
        self._versions[stream_id] = after_version + len(loaded)
        return loaded

    def append(self, stream_id: str, expected_version: int, new_events: Sequence[Envelope]) -> None:
        """Append events after ``expected_version`` and mark them for the outbox.

        The unique (stream_id, stream_version) key is the concurrency check: if the stream
        moved on, inserting version ``expected_version + 1`` collides, and
        ConcurrencyConflictError is raised. The caller's transaction must then be rolled back,
        so nothing of the attempt is kept.
        """
        for offset, envelope in enumerate(new_events, start=1):
            if (
                envelope.stream_id != stream_id
                or envelope.stream_version != expected_version + offset
            ):
                raise ValueError("envelopes must continue the stream they are appended to")
        if not new_events:
            return
        connection = self.connection
        in_one = connection.dialect.name == "postgresql"
        for envelope in new_events:
            try:
                if in_one:
                    _APPEND_MARKED.run(connection, envelope_to_row(envelope))
                    continue
                (seq,) = _APPEND.run(connection, envelope_to_row(envelope)).fetchone()
            except IntegrityError as error:
                raise ConcurrencyConflictError(stream_id, expected_version) from error
            _MARK.run(connection, {"seq": seq})
        connection.info.get(_READS, {}).pop(stream_id, None)
        self._versions[stream_id] = expected_version + len(new_events)

    def claim(self, consumer: str, event_id: str) -> bool:
        """Record ``event_id`` in ``consumer``'s inbox in the current transaction; False when
        it is there already (the event was consumed before, and must change nothing now)."""
        consumed_at = format_timestamp(datetime.now(UTC))
        row = {"consumer": consumer, "event_id": event_id, "consumed_at": consumed_at}
        return bool(_CLAIM.run(self.connection, row).rowcount == 1)
