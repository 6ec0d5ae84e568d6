"""Reading the log in position order: the gateway's catch-up source and the auditor's view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from shared.eventlog.chain import envelope_from_row
from shared.eventlog.tables import BLOCK_BITS, SQLITE_BLOCK, event_log
from shared.events.canonical import format_timestamp, parse_timestamp
from shared.events.envelope import Envelope


@dataclass(frozen=True)
class LoggedEvent:
    """One entry of the global log: where it sits, what it says, when it was recorded."""

    position: int
    envelope: Envelope
    recorded_at: datetime
    hash: str


class EventLogReader:
    """Pages through the log after a known position; it never writes.

    On SQLite, give it an engine made with ``reader=True``: a default engine opens every
    transaction with ``BEGIN IMMEDIATE`` and would queue behind (and hold up) the appender.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @property
    def engine(self) -> Engine:
        """The log's database (a reader that wants the raw rows, such as the projector)."""
        return self._engine

    def read_after(
        self,
        position: int,
        limit: int = 500,
        *,
        event_type: str | None = None,
        stream_id: str | None = None,
        before: int | None = None,
        recorded_from: datetime | None = None,
        recorded_until: datetime | None = None,
    ) -> list[LoggedEvent]:
        """Up to ``limit`` entries with a position above ``position``, ascending.

        With a filter, the positions returned skip the entries that do not match; page on by
        passing the last returned position. ``before`` excludes that position and later ones;
        ``recorded_from`` and ``recorded_until`` bound ``recorded_at``, both inclusive.
        """
        query = (
            sa.select(event_log)
            .where(event_log.c.position > position)
            .order_by(event_log.c.position)
            .limit(limit)
        )
        if event_type is not None:
            query = query.where(event_log.c.event_type == event_type)
        if stream_id is not None:
            query = query.where(_in_stream(stream_id, position, self._engine.dialect.name))
        if before is not None:
            query = query.where(event_log.c.position < before)
        # The stored text is the canonical form (fixed width, UTC): it sorts as time does.
        if recorded_from is not None:
            query = query.where(event_log.c.recorded_at >= format_timestamp(recorded_from))
        if recorded_until is not None:
            query = query.where(event_log.c.recorded_at <= format_timestamp(recorded_until))
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            LoggedEvent(
                position=row.position,
                envelope=envelope_from_row(row),
                recorded_at=parse_timestamp(row.recorded_at),
                hash=row.hash,
            )
            for row in rows
        ]

    def head(self) -> int:
        """The highest position logged so far (0 while the log is empty)."""
        with self._engine.connect() as connection:
            last = connection.execute(sa.select(sa.func.max(event_log.c.position))).scalar()
        return int(last or 0)


def _in_stream(stream_id: str, after: int, dialect: str) -> sa.ColumnElement[bool]:
    """The entries of one stream after ``after``. On SQLite the stream index is kept per block
    of positions (``tables.py``): name every block from ``after``'s to the last, so that SQLite
    searches the index once per block instead of reading the whole log."""
    same_stream = event_log.c.stream_id == stream_id
    if dialect != "sqlite":
        return same_stream
    blocks = sa.select(sa.literal(after >> BLOCK_BITS).label("block")).cte("blocks", recursive=True)
    last = sa.select(sa.func.max(event_log.c.position)).scalar_subquery()
    blocks = blocks.union_all(
        sa.select(blocks.c.block + 1).where(blocks.c.block < last.op(">>")(BLOCK_BITS))
    )
    # Written exactly as the index's expression: SQLite uses an index on an expression only
    # for that same expression.
    block: sa.ColumnElement[int] = sa.literal_column(SQLITE_BLOCK)
    return sa.and_(block.in_(sa.select(blocks.c.block)), same_stream)
