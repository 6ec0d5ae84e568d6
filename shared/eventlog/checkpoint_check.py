"""Checking the log against its signed checkpoints (see ``checkpoints.py``)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from shared.eventlog.checkpoints import read_checkpoints
from shared.eventlog.keys import Keyring
from shared.eventlog.merkle import CompactRange, leaf_hash
from shared.eventlog.tables import event_log

Problem = tuple[int, str]


def check_checkpoints(connection: Connection, checked: int, keys: Keyring) -> Problem | None:
    """The first checkpoint the log no longer matches, or None.

    Each checkpoint must be signed by a known key, lie within the entries verified, and name
    the hash and the Merkle root the log has at its position.
    """
    checkpoints = read_checkpoints(connection)
    tree = CompactRange()
    hashes = connection.execute(
        sa.select(event_log.c.hash)
        .where(event_log.c.position <= checked)
        .order_by(event_log.c.position)
    ).scalars()
    for checkpoint in checkpoints:
        at = checkpoint.position
        if not keys.knows(checkpoint.key_id):
            return at, f"the checkpoint at {at} is signed by an unknown key {checkpoint.key_id}"
        if not keys.verifies(checkpoint.key_id, checkpoint.signature, checkpoint.message()):
            return at, f"the checkpoint at {at} does not carry a valid signature"
        if at > checked:
            return checked + 1, (
                f"the log ends at {checked} but it signed a checkpoint at {at}: entries "
                f"{checked + 1}..{at} were removed"
            )
        head = ""
        for digest in hashes:
            tree.append(leaf_hash(bytes.fromhex(digest)))
            head = digest
            if tree.size == at:
                break
        if head != checkpoint.head_hash or tree.root().hex() != checkpoint.merkle_root:
            return at, f"the log up to {at} differs from what its checkpoint at {at} signed"
    return None
