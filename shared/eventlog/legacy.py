"""The canonical envelope text of an entry stored the way the log stored entries before it kept
the text itself (migration 0005, and export files of version 1): seventeen columns, the payload
as its stored text.

The text is the one the old ``verify`` hashed: the envelope's keys in code-point order, each
value canonical JSON except the payload, spliced in as stored (never parsed and re-encoded), and
``key_id``/``signature`` left out when the signature is null. So a migrated or loaded entry has
the hash it had, and an entry that had been tampered with still fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from json.encoder import encode_basestring
from typing import Any

from shared.events.envelope import ENVELOPE_FIELDS, SIGNATURE_FIELDS

ENVELOPE_KEYS = tuple(sorted((*ENVELOPE_FIELDS[:-1], "payload", *SIGNATURE_FIELDS)))
LEGACY_COLUMNS = ("position", "recorded_at", "prev_hash", "hash", *ENVELOPE_KEYS)
"""An old entry's columns, in the order ``legacy_envelope_text`` reads them."""
_PAYLOAD = LEGACY_COLUMNS.index("payload")
_SIGNATURE = LEGACY_COLUMNS.index("signature")
_LABELS = tuple((f'"{key}":', LEGACY_COLUMNS.index(key)) for key in ENVELOPE_KEYS)
_UNSIGNED = tuple(label for label in _LABELS if label[0][1:-2] not in SIGNATURE_FIELDS)


def _json(value: object) -> str:
    if isinstance(value, str):
        return encode_basestring(value)
    return "null" if value is None else str(value)


def legacy_envelope_text(entry: Sequence[Any]) -> str:
    """The canonical envelope text of an old entry (its values in ``LEGACY_COLUMNS`` order)."""
    labels = _UNSIGNED if entry[_SIGNATURE] is None else _LABELS
    body = ",".join(
        label + (str(entry[at]) if at == _PAYLOAD else _json(entry[at])) for label, at in labels
    )
    return f"{{{body}}}"
