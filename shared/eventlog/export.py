"""The log as one file an auditor can verify without the database: ``gravity audit export``.

The file is JSON lines (UTF-8, one object per line; docs/event-log.md states it for
independent verifiers):

1. ``{"format": "gravity-event-log-export", "version": 2, "exported_at": T,
   "head": {"position": N, "hash": H}, "public_keys": [{"key_id": K, "public_key": B64}]}``
2. one ``{"entry": {...}}`` per entry in position order, with the columns its hash covers
   (``chain.STORED_COLUMNS``); the envelope is the stored text, as a JSON string, so that an
   entry whose stored text was rewritten stays detectable (a version 1 file held the seventeen
   columns the log stored before, ``legacy.py``; ``verify --export`` reads both);
3. one ``{"checkpoint": {...}}`` per signed checkpoint, in position order.

``export_check.verify_export`` loads a file into a scratch SQLite database and runs the very
checks ``gravity audit verify`` runs on the live log, so the two can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.engine import Engine

from shared.eventlog.chain import STORED_COLUMNS
from shared.eventlog.keys import Keyring, key_id, public_key_text
from shared.eventlog.lines import json_line
from shared.eventlog.tables import HEAD_ROW_ID, event_log, log_checkpoints, log_head
from shared.eventlog.verify import HeadAnchor, snapshot
from shared.events.canonical import format_timestamp

FORMAT, VERSION = "gravity-event-log-export", 2
VERSIONS = (1, 2)  # what verify --export reads
BATCH = 5000


class MalformedExportError(ValueError):
    """The file is not an export this version writes; the message names the line."""


@dataclass(frozen=True)
class ExportSummary:
    entries: int
    checkpoints: int
    head: HeadAnchor


def export_log(
    engine: Engine, out: TextIO, keys: Keyring, progress: Callable[[int], None] | None = None
) -> ExportSummary:
    """Write the log as it stands at one moment (a consistent snapshot) to ``out``."""
    with snapshot(engine) as connection:
        position, head_hash = connection.execute(
            sa.select(log_head.c.position, log_head.c.hash).where(log_head.c.id == HEAD_ROW_ID)
        ).one()
        header = {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": format_timestamp(datetime.now(UTC)),
            "head": {"position": position, "hash": head_hash},
            "public_keys": [_public(key) for key in keys.public_keys()],
        }
        out.write(_line(header))
        columns = [event_log.c[name] for name in STORED_COLUMNS]
        written, after = 0, 0
        while True:
            rows = connection.execute(
                sa.select(*columns)
                .where(event_log.c.position > after, event_log.c.position <= position)
                .order_by(event_log.c.position)
                .limit(BATCH)
            ).all()
            if not rows:
                break
            out.writelines(_entry_line(row) for row in rows)
            written, after = written + len(rows), rows[-1][0]
            if progress is not None:
                progress(written)
        signed = connection.execute(
            sa.select(log_checkpoints)
            .where(log_checkpoints.c.position <= position)
            .order_by(log_checkpoints.c.position)
        ).all()
        out.writelines(_line({"checkpoint": row._asdict()}) for row in signed)
    return ExportSummary(written, len(signed), HeadAnchor(position, head_hash))


def _public(key: Ed25519PublicKey) -> dict[str, str]:
    return {"key_id": key_id(key), "public_key": public_key_text(key)}


def _entry_line(row: sa.Row[Any]) -> str:
    return _line({"entry": dict(zip(STORED_COLUMNS, row, strict=True))})


def _line(value: dict[str, Any]) -> str:
    return json_line(value) + "\n"
