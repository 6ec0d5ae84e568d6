"""Merkle proofs over the stored log: that an event is in it, and that it only ever grew.

A proof is made against a tree size the log signed where there is one (the first checkpoint at
or after the entry, for inclusion), so that an auditor who holds the log's public key can check
the root without trusting this program; the proof is checked here before it is handed out, and
a log that no longer matches what it signed is refused instead of proven.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from shared.eventlog.checkpoints import Checkpoint, read_checkpoints
from shared.eventlog.merkle import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    tree_root,
    verify_consistency,
    verify_inclusion,
)
from shared.eventlog.tables import HEAD_ROW_ID, event_log, log_head


class ProofError(ValueError):
    """No proof can be given: an unknown event, a size the log never had, or a log that no
    longer matches its own signed checkpoint (the message says which)."""


@dataclass(frozen=True)
class InclusionProof:
    event_id: str
    position: int
    tree_size: int
    leaf_hash: str
    root: str
    path: list[str]
    checkpoint: Checkpoint | None

    def as_json(self) -> dict[str, Any]:
        return _json(self, leaf_index=self.position - 1)


@dataclass(frozen=True)
class ConsistencyProof:
    old_size: int
    new_size: int
    old_root: str
    new_root: str
    path: list[str]
    old_checkpoint: Checkpoint | None
    new_checkpoint: Checkpoint | None

    def as_json(self) -> dict[str, Any]:
        return _json(self)


def prove_inclusion(
    connection: Connection, event_id: str, size: int | None = None
) -> InclusionProof:
    """The proof that ``event_id`` is in the log of ``size`` entries (default: the first signed
    checkpoint that covers it, else the whole log)."""
    position = connection.execute(
        sa.select(event_log.c.position).where(event_log.c.event_id == event_id)
    ).scalar()
    if position is None:
        raise ProofError(f"no entry with event id {event_id} in the log")
    signed = {checkpoint.position: checkpoint for checkpoint in read_checkpoints(connection)}
    if size is None:
        size = min((at for at in signed if at >= position), default=_head(connection))
    _check_size(connection, size)
    if size < position:
        raise ProofError(f"event {event_id} is at {position}, after a log of {size} entries")
    leaves = _leaves(connection, size)
    root = _matching_root(leaves, signed.get(size))
    path = inclusion_proof(leaves, position - 1)
    if not verify_inclusion(position - 1, size, leaves[position - 1], path, root):
        raise ProofError(f"the inclusion proof for position {position} does not check")  # a bug
    hexed = [node.hex() for node in path]
    leaf = leaves[position - 1].hex()
    return InclusionProof(event_id, position, size, leaf, root.hex(), hexed, signed.get(size))


def prove_consistency(connection: Connection, old_size: int, new_size: int) -> ConsistencyProof:
    """The proof that the log of ``old_size`` entries is a prefix of the log of ``new_size``."""
    if not 1 <= old_size <= new_size:
        raise ProofError(f"need 1 <= FROM <= TO, not {old_size} and {new_size}")
    _check_size(connection, new_size)
    signed = {checkpoint.position: checkpoint for checkpoint in read_checkpoints(connection)}
    leaves = _leaves(connection, new_size)
    old_root = _matching_root(leaves[:old_size], signed.get(old_size))
    new_root = _matching_root(leaves, signed.get(new_size))
    path = consistency_proof(leaves, old_size)
    if not verify_consistency(old_size, new_size, path, old_root, new_root):
        raise ProofError(f"the consistency proof {old_size}->{new_size} does not check")  # a bug
    return ConsistencyProof(
        old_size,
        new_size,
        old_root.hex(),
        new_root.hex(),
        [node.hex() for node in path],
        signed.get(old_size),
        signed.get(new_size),
    )


def _matching_root(leaves: list[bytes], checkpoint: Checkpoint | None) -> bytes:
    root = tree_root(leaves)
    if checkpoint is not None and root.hex() != checkpoint.merkle_root:
        raise ProofError(
            f"the log's first {len(leaves)} entries no longer match the checkpoint signed at "
            f"{checkpoint.position}: run gravity audit verify"
        )
    return root


def _head(connection: Connection) -> int:
    head = connection.execute(sa.select(log_head.c.position).where(log_head.c.id == HEAD_ROW_ID))
    return int(head.scalar_one())


def _check_size(connection: Connection, size: int) -> None:
    head = _head(connection)
    if not 1 <= size <= head:
        raise ProofError(f"the log has {head} entries; there is no tree of {size}")


def _leaves(connection: Connection, size: int) -> list[bytes]:
    hashes = connection.execute(
        sa.select(event_log.c.hash)
        .where(event_log.c.position <= size)
        .order_by(event_log.c.position)
    ).scalars()
    leaves = [leaf_hash(bytes.fromhex(digest)) for digest in hashes]
    if len(leaves) != size:
        raise ProofError(f"entries are missing below {size}: run gravity audit verify")
    return leaves


def _json(proof: InclusionProof | ConsistencyProof, **extra: Any) -> dict[str, Any]:
    fields = dict(vars(proof))
    for name, value in fields.items():
        if isinstance(value, Checkpoint):
            fields[name] = vars(value)
    return fields | extra
