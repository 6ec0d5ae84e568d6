"""The hash chain: how one log entry is turned into bytes and linked to the one before.

For the entry at ``position`` (1, 2, ...)::

    material = f"{position}\\n{recorded_at}\\n{prev_hash}\\n".encode("ascii")
               + canonical_bytes(envelope.to_dict())
    hash     = sha256(material).hexdigest()          # 64 lower-case hex digits

``recorded_at`` is the entry's canonical UTC timestamp text and ``prev_hash`` the ``hash`` of
the entry at ``position - 1`` (64 zeros for position 1). The position is hashed so that moving
or renumbering entries breaks the chain even where contents are left alone.
A signed event's ``key_id`` and ``signature`` are envelope fields like the others, so the chain
covers them; an unsigned one (logged before producers signed) has neither key in its JSON and
hashes as it always did.

The log stores the canonical envelope as text (the ``envelope`` column), so the hash of a
stored entry is the hash of its header and that text as stored: nothing is parsed or encoded
again, and any rewrite of the text (white space, escapes, a duplicate key) fails.
docs/event-log.md states the same rules for auditors who write their own verifier.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from operator import methodcaller
from typing import Any

from shared.events.canonical import canonical_bytes
from shared.events.envelope import Envelope

GENESIS_HASH = "0" * 64


def entry_hash(position: int, recorded_at: str, prev_hash: str, event: dict[str, Any]) -> str:
    """The hash of one entry, from the envelope's JSON form (``Envelope.to_dict()``)."""
    header = f"{position}\n{recorded_at}\n{prev_hash}\n".encode("ascii")
    return hashlib.sha256(header + canonical_bytes(event)).hexdigest()


STORED_COLUMNS = ("position", "recorded_at", "prev_hash", "hash", "envelope")
"""The columns a stored entry's hash covers (with ``hash`` itself), in the order
``hash_stored`` reads them."""
_HEXDIGEST = methodcaller("hexdigest")


def stored_material(entry: Sequence[Any]) -> bytes:
    """The bytes a stored entry's hash covers: its header and its envelope text as stored."""
    position, recorded_at, prev_hash, _hash, envelope = entry
    return f"{position}\n{recorded_at}\n{prev_hash}\n{envelope}".encode()


def hash_stored(entry: Sequence[Any]) -> str:
    """The hash of a stored entry (its values in ``STORED_COLUMNS`` order)."""
    return hashlib.sha256(stored_material(entry)).hexdigest()


def stored_entry_hash(row: Any) -> str:
    """``hash_stored`` of a row read with named columns."""
    return hash_stored([getattr(row, column) for column in STORED_COLUMNS])


def hash_stored_page(entries: Sequence[Sequence[Any]]) -> list[str]:
    """``hash_stored`` of many entries at once, with no Python step per entry but the one
    f-string (what lets ``verify`` keep up with hashlib alone)."""
    encoded = [
        f"{position}\n{recorded_at}\n{prev_hash}\n{envelope}".encode()
        for position, recorded_at, prev_hash, _hash, envelope in entries
    ]
    return list(map(_HEXDIGEST, map(hashlib.sha256, encoded)))


def envelope_text(envelope: Envelope) -> str:
    """The canonical envelope: the text the log stores and hashes."""
    return canonical_bytes(envelope.to_dict()).decode("utf-8")


def envelope_columns(envelope: Envelope) -> dict[str, Any]:
    """The ``event_log`` columns an envelope is written to (the rest are derived from it)."""
    return {"envelope": envelope_text(envelope)}


def text_is_canonical(text: object) -> bool:
    """Whether a stored text is the canonical encoding of what it parses to (one object, no
    duplicate keys at any depth)."""
    if not isinstance(text, str):
        return False
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


def envelope_from_row(row: Any) -> Envelope:
    """Rebuild the logged envelope from its stored text; a damaged row raises ``ValueError``."""
    return Envelope.from_dict(json.loads(row.envelope))
