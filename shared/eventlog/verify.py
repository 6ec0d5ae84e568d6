"""Checking the log end to end: every link of the chain, no gaps, and the head anchor.

What this catches: an edited entry (its envelope text or header; the envelope's fields are
columns derived from the text, and the schema that derives them is checked, ``derived.py``),
a deleted entry, entries swapped or renumbered, and a tail cut off without also rewinding the
``log_head`` row. What it cannot
catch alone: someone with write access who recomputes every hash after a change and rewrites
the head row to match. That needs an anchor kept outside the database, which is why the
auditor records the head (``POSITION:HASH``) printed by each run and passes it back with
``--expect-head`` next time: a log that no longer contains that exact entry fails; the signed
checkpoints (``checkpoint_check.py``) catch it too. A large log is walked in stretches by
several processes (``parallel.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from shared.eventlog.chain import GENESIS_HASH
from shared.eventlog.checkpoint_check import check_checkpoints
from shared.eventlog.derived import schema_problem
from shared.eventlog.keys import Keyring
from shared.eventlog.parallel import Progress, stretches_of, walk_apart
from shared.eventlog.tables import HEAD_ROW_ID, event_log, log_head
from shared.eventlog.walk import Problem, RangeCheck, check_range, link_problem


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
    engine: Engine,
    progress: Progress | None = None,
    *,
    expect_head: HeadAnchor | None = None,
    workers: int | None = None,
    keys: Keyring | None = None,
) -> VerificationResult:
    """Recompute every entry's hash over its stored bytes, in position order, and check the
    links between entries, the head anchor and (if given) the auditor's expected head.

    ``progress`` is called with the number of entries checked so far. The walk covers the
    entries written when it began, so appends running meanwhile are neither seen nor mistaken
    for tampering (on SQLite, pass an engine made with ``reader=True``). A large log on a file
    or server database is walked in stretches by ``workers`` processes (default: the machine's
    cores; this one is among them), each taking the next stretch when free; the stretches are
    then linked here. With ``keys``
    (the log's public keys), every signed checkpoint is checked too: its signature, and that
    the log still holds the prefix it signed (its head hash and Merkle root), so a cut tail
    or a rewritten head is caught without an anchor kept by hand.
    """
    with snapshot(engine) as connection:
        changed = schema_problem(connection)
        if changed is not None:
            return VerificationResult(False, 0, 1, changed)
        recorded = connection.execute(
            sa.select(log_head.c.position, log_head.c.hash).where(log_head.c.id == HEAD_ROW_ID)
        ).one_or_none()
        last = int(connection.execute(sa.select(sa.func.max(event_log.c.position))).scalar() or 0)
        stretches = stretches_of(last, workers, engine)
        if len(stretches) > 1:
            checks = walk_apart(connection, stretches, progress, workers)
        else:
            checks = [check_range(connection, 1, last, progress)] if last else []
        checked, prev_hash, failure = _link(checks)
        anchor_hash = _hash_at(connection, expect_head, checked) if failure is None else None
        if failure is None and keys is not None:
            failure = check_checkpoints(connection, checked, keys)
    if failure is not None:
        bad, reason = failure
        return VerificationResult(False, bad - 1, bad, reason)
    head = HeadAnchor(checked, prev_hash)
    failure = _check_head(recorded, head)
    if failure is None and expect_head is not None:
        failure = _check_anchor(expect_head, anchor_hash, head)
    if failure is not None:
        bad, reason = failure
        return VerificationResult(False, min(checked, bad - 1), bad, reason, head)
    return VerificationResult(True, checked, None, f"{checked} entries verified", head)


def _link(checks: list[RangeCheck]) -> tuple[int, str, Problem | None]:
    """Chain the stretches: (entries checked, the last hash, the first problem)."""
    checked, prev_hash = 0, GENESIS_HASH
    for check in checks:
        if check.first_prev != prev_hash and check.checked > 0:
            return checked, prev_hash, link_problem(check.first, check.first_sound)
        if check.problem is not None:
            return check.problem[0] - 1, prev_hash, check.problem
        checked, prev_hash = check.last, check.last_hash
    return checked, prev_hash, None


def _hash_at(connection: Connection, anchor: HeadAnchor | None, checked: int) -> str | None:
    if anchor is None or anchor.position > checked:
        return None
    if anchor.position == 0:
        return GENESIS_HASH
    query = sa.select(event_log.c.hash).where(event_log.c.position == anchor.position)
    found: str | None = connection.execute(query).scalar()
    return found


def snapshot(engine: Engine) -> Connection:
    """A connection that reads one consistent state of the log throughout."""
    connection = engine.connect()
    if engine.dialect.name == "postgresql":
        # READ COMMITTED would let the head row and later pages disagree mid-walk.
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
    return connection


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
