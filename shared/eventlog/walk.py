"""Walking one stretch of the log: every entry present, sound and linked to the one before.

A stretch knows nothing of the entry before its first: the caller links stretches together
(``RangeCheck.first_prev`` against the previous stretch's ``last_hash``). So stretches can be
walked side by side, each in a process of its own, over entries that never change once
written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from shared.eventlog.chain import (
    STORED_COLUMNS,
    hash_stored,
    hash_stored_page,
    text_is_canonical,
)
from shared.eventlog.tables import event_log

PAGE_SIZE = 5000
_COLUMNS = [event_log.c[name] for name in STORED_COLUMNS]
_POSITION, _PREV, _HASH = 0, 2, 3
_ENVELOPE = STORED_COLUMNS.index("envelope")
_HEADER = itemgetter(_POSITION, _PREV, _HASH)

Problem = tuple[int, str]  # the first position that cannot be trusted, and why


@dataclass(frozen=True)
class RangeCheck:
    """What a walk over positions ``first..last`` found."""

    first: int
    last: int
    first_prev: str  # the previous hash the first entry names
    first_sound: bool  # whether the first entry matches its own hash
    last_hash: str
    problem: Problem | None = None

    @property
    def checked(self) -> int:
        """Entries before the problem (or all of them)."""
        return (self.problem[0] if self.problem else self.last + 1) - self.first


def check_range(
    connection: Connection,
    first: int,
    last: int,
    on_page: Callable[[int], None] | None = None,
) -> RangeCheck:
    """Walk positions ``first..last`` (both included) in one read."""
    walk = _Walk(first)
    with _stored_rows(connection, first, last) as cursor:
        while page := cursor.fetchmany(PAGE_SIZE):
            problem = walk.take(page)
            if problem is not None:
                return walk.result(last, problem)
            if on_page is not None:
                on_page(walk.expected - 1)
    if walk.expected <= last:
        expected = walk.expected
        problem = (expected, f"entry {expected} is missing (the log ends at {expected - 1})")
        return walk.result(last, problem)
    return walk.result(last)


class _Walk:
    """Where a walk over one stretch stands between pages."""

    def __init__(self, first: int) -> None:
        self.first, self.expected, self.prev = first, first, ""
        self.first_prev, self.first_sound = "", False

    def take(self, page: list[tuple[Any, ...]]) -> Problem | None:
        """Check the next page of entries; the first problem in it, if any."""
        if self._sound(page):
            if self.expected == self.first:
                self.first_prev, self.first_sound = page[0][_PREV], True
            self.prev, self.expected = page[-1][_HASH], self.expected + len(page)
            return None
        return self._entry_by_entry(page)

    def _sound(self, page: list[tuple[Any, ...]]) -> bool:
        """Whether every entry of the page is in place, linked and matches its hash, checked
        a column at a time (no Python step per entry); False sends the page entry by entry."""
        positions, prevs, hashes = zip(*map(_HEADER, page), strict=True)
        starts = self.expected == self.first
        return (
            positions == tuple(range(self.expected, self.expected + len(page)))
            and (starts or prevs[0] == self.prev)
            and prevs[1:] == hashes[:-1]
            and hash_stored_page(page) == list(hashes)
        )

    def _entry_by_entry(self, page: list[tuple[Any, ...]]) -> Problem | None:
        for row in page:
            position, sound = row[_POSITION], hash_stored(row) == row[_HASH]
            if position != self.expected:
                return self.expected, (
                    f"entry {self.expected} is missing (the next entry is at {position})"
                )
            if position == self.first:
                self.first_prev, self.first_sound = row[_PREV], sound
            elif row[_PREV] != self.prev:
                return _broken_link(position, sound)
            if not sound:
                return _unsound(position, row[_ENVELOPE])
            self.prev, self.expected = row[_HASH], position + 1
        return None

    def result(self, last: int, problem: Problem | None = None) -> RangeCheck:
        first = self.first
        return RangeCheck(first, last, self.first_prev, self.first_sound, self.prev, problem)


@contextmanager
def _stored_rows(connection: Connection, first: int, last: int) -> Iterator[Any]:
    """A driver cursor over the stretch's stored columns, in position order: rows come as
    plain tuples (no SQLAlchemy row objects), a page at a time, and on PostgreSQL from a
    server-side cursor, so a walk of millions of entries holds one page in memory."""
    query = (
        sa.select(*_COLUMNS)
        .where(event_log.c.position >= first, event_log.c.position <= last)
        .order_by(event_log.c.position)
    )
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    driver = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        cursor = driver.cursor(name="eventlog_walk")  # type: ignore[union-attr]
        cursor.itersize = PAGE_SIZE
    else:
        cursor = driver.cursor()  # type: ignore[union-attr]
    try:
        cursor.arraysize = PAGE_SIZE
        cursor.execute(sql)
        yield cursor
    finally:
        cursor.close()


def link_problem(position: int, first_sound: bool) -> Problem:
    """Why an entry does not name the hash of the entry before it."""
    return _broken_link(position, first_sound)


def _broken_link(position: int, sound: bool) -> Problem:
    if sound and position > 1:
        # This entry is intact and still names its predecessor's original hash: the
        # predecessor was edited and its own hash recomputed to hide it.
        return position - 1, (
            f"entry {position - 1} was changed and re-hashed "
            f"(entry {position} still links to its original hash)"
        )
    return position, f"entry {position} does not link to entry {position - 1}"


def _unsound(position: int, envelope: object) -> Problem:
    if not text_is_canonical(envelope):
        return position, (
            f"entry {position}'s stored envelope is not canonical JSON (it was rewritten: "
            "white space, escapes or a duplicate key)"
        )
    return position, f"entry {position} does not match its hash (its contents were changed)"
