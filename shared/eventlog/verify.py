"""Checking the log end to end: every link of the chain, no gaps, and the head anchor.

What this catches: an edited entry (any column), a deleted entry, entries swapped or
renumbered, and a tail cut off without also rewinding the ``log_head`` row. What it cannot
catch alone: someone with write access who recomputes every hash after a change and rewrites
the head row to match. That needs an anchor kept outside the database, which is why the
auditor records the head (``POSITION:HASH``) printed by each run and passes it back with
``--expect-head`` next time: a log that no longer contains that exact entry fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from shared.eventlog.chain import GENESIS_HASH, payload_is_canonical, stored_entry_hash
from shared.eventlog.tables import HEAD_ROW_ID, event_log, log_head

Progress = Callable[[int], None]
PAGE_SIZE = 1000


class MalformedAnchorError(ValueError):
    """An ``--expect-head`` value is not ``POSITION:HASH``."""


@dataclass(frozen=True)
class HeadAnchor:
    """A position and the hash an auditor saw there, recorded outside the database."""

    position: int
    hash: str

    @classmethod
    def parse(cls, text: str) -> HeadAnchor:
        position, _, digest = text.partition(":")
        digest = digest.strip().lower()
        if not position.strip().isdigit() or len(digest) != 64 or not _is_hex(digest):
            raise MalformedAnchorError(f"expected POSITION:HASH (64 hex digits), got {text!r}")
        return cls(int(position), digest)

    def __str__(self) -> str:
        return f"{self.position}:{self.hash}"


@dataclass(frozen=True)
class VerificationResult:
    """The outcome; on failure, the first position that cannot be trusted and why."""

    ok: bool
    checked: int
    first_bad_position: int | None
    reason: str
    head: HeadAnchor | None = None


def verify_chain(
    engine: Engine, progress: Progress | None = None, *, expect_head: HeadAnchor | None = None
) -> VerificationResult:
    """Recompute every entry's hash in position order and compare with what is stored.

    ``progress`` is called with the number of entries checked after each page. The whole walk
    reads one snapshot, so appends running meanwhile are neither seen nor mistaken for tampering
    (on SQLite, pass an engine made with ``reader=True`` so that appends are not blocked).
    """
    checked, prev_hash = 0, GENESIS_HASH
    anchor_hash = GENESIS_HASH if expect_head and expect_head.position == 0 else None
    with _snapshot(engine) as connection:
        recorded = connection.execute(
            sa.select(log_head.c.position, log_head.c.hash).where(log_head.c.id == HEAD_ROW_ID)
        ).one_or_none()
        while True:
            rows = connection.execute(
                sa.select(event_log)
                .where(event_log.c.position > checked)
                .order_by(event_log.c.position)
                .limit(PAGE_SIZE)
            ).all()
            for row in rows:
                position = checked + 1
                problem = _check_entry(row, position, prev_hash)
                if problem:
                    bad, reason = problem
                    return VerificationResult(False, bad - 1, bad, reason)
                if expect_head and position == expect_head.position:
                    anchor_hash = row.hash
                prev_hash, checked = row.hash, position
            if progress is not None and rows:
                progress(checked)
            if len(rows) < PAGE_SIZE:
                break
    head = HeadAnchor(checked, prev_hash)
    failure = _check_head(recorded, head)
    if failure is None and expect_head is not None:
        failure = _check_anchor(expect_head, anchor_hash, head)
    if failure is not None:
        bad, reason = failure
        return VerificationResult(False, min(checked, bad - 1), bad, reason, head)
    return VerificationResult(True, checked, None, f"{checked} entries verified", head)


def _snapshot(engine: Engine) -> Connection:
    connection = engine.connect()
    if engine.dialect.name == "postgresql":
        # READ COMMITTED would let the head row and later pages disagree mid-walk.
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
    return connection


def _check_entry(row: Any, position: int, prev_hash: str) -> tuple[int, str] | None:
    """None if the entry is sound, else the first bad position (this one or the one before)."""
    if row.position != position:
        return position, f"entry {position} is missing (the next entry is at {row.position})"
    sound = stored_entry_hash(row) == row.hash
    if row.prev_hash != prev_hash:
        if sound and position > 1:
            # This entry is intact and still names its predecessor's original hash: the
            # predecessor was edited and its own hash recomputed to hide it.
            return position - 1, (
                f"entry {position - 1} was changed and re-hashed "
                f"(entry {position} still links to its original hash)"
            )
        return position, f"entry {position} does not link to entry {position - 1}"
    if not sound:
        if not payload_is_canonical(row.payload):
            return position, (
                f"entry {position}'s stored payload is not canonical JSON (it was rewritten: "
                "white space, escapes or a duplicate key)"
            )
        return position, f"entry {position} does not match its hash (its contents were changed)"
    return None


def _check_head(recorded: Any | None, head: HeadAnchor) -> tuple[int, str] | None:
    if recorded is None:
        return head.position + 1, "the log_head anchor row is missing"
    if recorded.position > head.position:
        return head.position + 1, (
            f"the log ends at {head.position} but its head anchor records {recorded.position}: "
            f"entries {head.position + 1}..{recorded.position} are missing"
        )
    if recorded.position < head.position:
        return recorded.position + 1, (
            f"entries after {recorded.position} were not written by the appender "
            f"(the head anchor records {recorded.position})"
        )
    if recorded.hash != head.hash:
        return head.position, f"the head anchor's hash does not match entry {head.position}"
    return None


def _check_anchor(
    expected: HeadAnchor, found_hash: str | None, head: HeadAnchor
) -> tuple[int, str] | None:
    if found_hash is None:
        return head.position + 1, (
            f"the log ends at {head.position}, before the expected head {expected.position}: "
            "it was truncated"
        )
    if found_hash != expected.hash:
        return expected.position, (
            f"entry {expected.position} differs from the expected head: the log up to it "
            "was rewritten"
        )
    return None


def _is_hex(text: str) -> bool:
    return all(character in "0123456789abcdef" for character in text)
