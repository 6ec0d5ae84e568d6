"""Rotating a component's master key: its data keys are re-wrapped, no event is touched.

Safe to run again after a crash at any step (with the component stopped, since a running one
wraps new keys with the master key it loaded):

1. the next key is written beside the current one (``<component>.master.next``, 0600), or the
   one a crashed run left there is taken;
2. one transaction re-wraps every live data key the next key does not wrap yet;
3. the next key file replaces the current one (an atomic rename), so the old master key is
   gone from the keys folder.

A crash between 2 and 3 leaves data keys that only the ``.next`` file unwraps: the component
then refuses to start with ``MasterKeyError`` naming the master key, and running the rotation
again finishes it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from shared.privacy.key_rows import subject_keys
from shared.privacy.master_key import ensure_master_key, load_master_key


@dataclass(frozen=True)
class Rotation:
    """What a rotation did: the master key ids before and after, and how many keys moved."""

    old_key_id: str
    new_key_id: str
    rewrapped: int


def next_key_path(path: Path) -> Path:
    return path.with_name(path.name + ".next")


def rotate_master_key(engine: Engine, path: Path) -> Rotation:
    """Rotate the master key at ``path`` for the key store in ``engine``'s database."""
    old = load_master_key(path)
    new = ensure_master_key(next_key_path(path))
    rewrapped = 0
    with engine.begin() as connection:
        rows = connection.execute(
            sa.select(subject_keys).where(subject_keys.c.wrapped_key.is_not(None))
        ).all()
        for row in rows:
            if row.wrapped_key.startswith(f"{new.key_id}:"):
                continue  # re-wrapped by a run that stopped before the rename
            data_key = old.unwrap(row.wrapped_key, row.subject_id, row.key_id)
            connection.execute(
                subject_keys.update()
                .where(subject_keys.c.key_id == row.key_id)
                .values(wrapped_key=new.wrap(data_key, row.subject_id, row.key_id))
            )
            rewrapped += 1
    os.replace(next_key_path(path), path)
    return Rotation(old.key_id, new.key_id, rewrapped)
