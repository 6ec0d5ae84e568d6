"""Signed checkpoints: the log's own signature over (position, head hash, Merkle root, time).

The event-log process signs one every ``every_entries`` entries or ``every_seconds`` seconds
(and on demand). A verifier that trusts the log's public key then knows the log held exactly
that prefix at that time: a tail cut off, or a head rewritten, no longer matches the newest
checkpoint, and no one without the private key can sign a new one.
"""

from __future__ import annotations

import base64
import dataclasses
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.engine import Connection, Engine

from shared.eventlog.keys import key_id
from shared.eventlog.merkle import CompactRange, leaf_hash
from shared.eventlog.tables import HEAD_ROW_ID, event_log, log_checkpoints, log_head
from shared.events.canonical import canonical_bytes, format_timestamp
from shared.events.ed25519 import Signer
from shared.logging import get_logger

log = get_logger(__name__)
LOG_NAME = "gravity-event-log"


@dataclass(frozen=True)
class Checkpoint:
    position: int
    head_hash: str
    merkle_root: str  # hex
    signed_at: str  # canonical UTC timestamp
    key_id: str
    signature: str  # base64 Ed25519 over ``message()``

    def message(self) -> bytes:
        """The canonical JSON the signature covers (docs/event-log.md states it)."""
        return canonical_bytes(
            {
                "log": LOG_NAME,
                "position": self.position,
                "head_hash": self.head_hash,
                "merkle_root": self.merkle_root,
                "signed_at": self.signed_at,
            }
        )


def read_checkpoints(
    connection: Connection, *, after: int = 0, limit: int | None = None
) -> list[Checkpoint]:
    """The signed checkpoints in position order: all, or a page of those past ``after``."""
    query = (
        sa.select(log_checkpoints)
        .where(log_checkpoints.c.position > after)
        .order_by(log_checkpoints.c.position)
        .limit(limit)
    )
    return [Checkpoint(**row._asdict()) for row in connection.execute(query)]


class Checkpointer:
    """Keeps the Merkle tree of the log up to date in memory and signs checkpoints of it."""

    def __init__(
        self,
        engine: Engine,
        key: Ed25519PrivateKey,
        *,
        every_entries: int = 1000,
        every_seconds: float = 10.0,
    ) -> None:
        self._engine = engine
        self._key = Signer(key)
        self._key_id = key_id(key.public_key())
        self._every_entries = every_entries
        self._every_seconds = every_seconds
        self._tree = CompactRange()
        self._signed_position = -1
        self._signed_at = time.monotonic()
        self._unsigned = -1  # unknown until the first tick reads the log

    def appended(self, count: int) -> None:
        """The consumer logged ``count`` more entries (before the first tick, the log itself
        is read instead)."""
        if self._unsigned >= 0:
            self._unsigned += count

    def tick(self) -> None:
        """Sign a checkpoint if enough entries or enough time have gone unsigned; a failure
        is logged and tried again at the next tick (the log itself goes on)."""
        if self._unsigned < 0:
            self._unsigned = self._unsigned_at_start()
        stale = time.monotonic() - self._signed_at >= self._every_seconds
        if self._unsigned >= self._every_entries or (self._unsigned > 0 and stale):
            try:
                self.checkpoint()
            except sa.exc.SQLAlchemyError as error:
                log.warning("eventlog.checkpoint_failed", error=type(error).__name__)

    def checkpoint(self) -> Checkpoint | None:
        """Sign the log as it stands now (None for an empty log or one signed already); also
        ``gravity audit checkpoint``, on demand."""
        with self._engine.begin() as connection:
            position, head_hash = connection.execute(
                sa.select(log_head.c.position, log_head.c.hash).where(log_head.c.id == HEAD_ROW_ID)
            ).one()
            self._catch_up(connection, position)
            signed_already = connection.execute(
                sa.select(log_checkpoints.c.position).where(log_checkpoints.c.position == position)
            ).first()
            if position == 0 or signed_already is not None:
                return None
            stamp = format_timestamp(datetime.now(UTC))
            root = self._tree.root().hex()
            unsigned = Checkpoint(position, head_hash, root, stamp, self._key_id, "")
            signature = base64.b64encode(self._key.sign(unsigned.message())).decode("ascii")
            signed = dataclasses.replace(unsigned, signature=signature)
            connection.execute(log_checkpoints.insert(), [dataclasses.asdict(signed)])
        self._signed_position, self._signed_at = position, time.monotonic()
        self._unsigned = 0
        log.info("eventlog.checkpoint_signed", position=position, key_id=self._key_id)
        return signed

    def _unsigned_at_start(self) -> int:
        with self._engine.connect() as connection:
            head = connection.execute(
                sa.select(log_head.c.position).where(log_head.c.id == HEAD_ROW_ID)
            ).scalar_one()
            signed = connection.execute(sa.select(sa.func.max(log_checkpoints.c.position))).scalar()
        return int(head) - int(signed or 0)

    def _catch_up(self, connection: Connection, position: int) -> None:
        hashes = connection.execute(
            sa.select(event_log.c.hash)
            .where(event_log.c.position > self._tree.size, event_log.c.position <= position)
            .order_by(event_log.c.position)
        ).scalars()
        for digest in hashes:
            self._tree.append(leaf_hash(bytes.fromhex(digest)))
