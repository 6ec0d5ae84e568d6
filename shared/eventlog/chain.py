"""The hash chain: how one log entry is turned into bytes and linked to the one before.

For the entry at ``position`` (1, 2, ...)::

    material = f"{position}\\n{recorded_at}\\n{prev_hash}\\n".encode("ascii")
               + canonical_bytes(envelope.to_dict())
    hash     = sha256(material).hexdigest()          # 64 lower-case hex digits

``recorded_at`` is the entry's canonical UTC timestamp text and ``prev_hash`` the ``hash`` of
the entry at ``position - 1`` (64 zeros for position 1). The position is hashed so that moving
or renumbering entries breaks the chain even where contents are left alone.
docs/event-log.md states the same rules for auditors who write their own verifier.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from shared.events.canonical import canonical_bytes
from shared.events.envelope import ENVELOPE_FIELDS, Envelope, stored_fields

GENESIS_HASH = "0" * 64


def entry_hash(position: int, recorded_at: str, prev_hash: str, event: dict[str, Any]) -> str:
    """The hash of one entry, from the envelope's JSON form (``Envelope.to_dict()``)."""
    header = f"{position}\n{recorded_at}\n{prev_hash}\n".encode("ascii")
    return hashlib.sha256(header + canonical_bytes(event)).hexdigest()


ENVELOPE_KEYS = tuple(sorted((*ENVELOPE_FIELDS[:-1], "payload")))
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def stored_entry_hash(row: Any) -> str:
    """The hash of a stored entry, computed over the bytes as they are stored.

    The canonical envelope is the stored columns in key order with the stored payload text
    spliced in as it is, never parsed and re-encoded: a payload column rewritten into another
    text for the same value (white space, escapes, a duplicate key in front) hashes
    differently and is caught. A sound entry's stored payload is canonical JSON already.
    """
    parts = [
        f'"payload":{row.payload}' if key == "payload" else f'"{key}":{_ENCODE(getattr(row, key))}'
        for key in ENVELOPE_KEYS
    ]
    material = f"{row.position}\n{row.recorded_at}\n{row.prev_hash}\n{{{','.join(parts)}}}"
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def payload_is_canonical(text: str) -> bool:
    """Whether a stored payload is the canonical encoding of what it parses to (one object,
    no duplicate keys)."""
    try:
        value = json.loads(text, object_pairs_hook=_refuse_duplicates)
    except (ValueError, TypeError):
        return False
    return isinstance(value, dict) and canonical_bytes(value).decode("utf-8") == text


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate key")
    return dict(pairs)


def envelope_columns(envelope: Envelope) -> dict[str, Any]:
    """The ``event_log`` columns that hold an envelope (payload as canonical JSON text)."""
    return envelope.to_dict() | {"payload": canonical_bytes(envelope.payload).decode("utf-8")}


def envelope_from_row(row: Any) -> Envelope:
    """Rebuild the logged envelope; a damaged row raises ``ValueError``."""
    return Envelope.from_dict({**stored_fields(row), "payload": json.loads(row.payload)})
