"""Walking one stretch of the log: every entry present, sound and linked to the one before.

A stretch knows nothing of the entry before its first: the caller links stretches together
(``RangeCheck.first_prev`` against the previous stretch's ``last_hash``). So stretches can be
walked side by side, each in a process of its own, over entries that never change once
written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from shared.eventlog.chain import STORED_COLUMNS, hash_stored, payload_is_canonical
from shared.eventlog.tables import event_log
from shared.eventstore.database import create_database_engine

PAGE_SIZE = 5000
_COLUMNS = [event_log.c[name] for name in STORED_COLUMNS]
_POSITION, _PREV, _HASH = 0, 2, 3
_PAYLOAD = STORED_COLUMNS.index("payload")

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
    expected, prev, first_prev, first_sound = first, "", "", False
    while expected <= last:
        rows = connection.execute(
            sa.select(*_COLUMNS)
            .where(event_log.c.position >= expected, event_log.c.position <= last)
            .order_by(event_log.c.position)
            .limit(PAGE_SIZE)
        ).all()
        if not rows:
            break
        for row in rows:
            position, sound = row[_POSITION], hash_stored(row) == row[_HASH]
            if position != expected:
                reason = f"entry {expected} is missing (the next entry is at {position})"
                return RangeCheck(first, last, first_prev, first_sound, prev, (expected, reason))
            if position == first:
                first_prev, first_sound = row[_PREV], sound
            elif row[_PREV] != prev:
                problem = _broken_link(position, sound)
                return RangeCheck(first, last, first_prev, first_sound, prev, problem)
            if not sound:
                problem = _unsound(position, row[_PAYLOAD])
                return RangeCheck(first, last, first_prev, first_sound, prev, problem)
            prev, expected = row[_HASH], position + 1
        if on_page is not None:
            on_page(expected - 1)
    if expected <= last:
        problem = (expected, f"entry {expected} is missing (the log ends at {expected - 1})")
        return RangeCheck(first, last, first_prev, first_sound, prev, problem)
    return RangeCheck(first, last, first_prev, first_sound, prev)


def check_range_at(url: str, first: int, last: int) -> RangeCheck:
    """``check_range`` in a process of its own, on its own connection."""
    engine = create_database_engine(url, reader=True)
    try:
        with engine.connect() as connection:
            return check_range(connection, first, last)
    finally:
        engine.dispose()


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


def _unsound(position: int, payload: str) -> Problem:
    if not payload_is_canonical(payload):
        return position, (
            f"entry {position}'s stored payload is not canonical JSON (it was rewritten: "
            "white space, escapes or a duplicate key)"
        )
    return position, f"entry {position} does not match its hash (its contents were changed)"
