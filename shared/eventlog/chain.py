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
docs/event-log.md states the same rules for auditors who write their own verifier.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from json.encoder import encode_basestring
from operator import methodcaller
from typing import Any

from shared.events.canonical import canonical_bytes
from shared.events.envelope import ENVELOPE_FIELDS, SIGNATURE_FIELDS, Envelope, stored_fields

GENESIS_HASH = "0" * 64


def entry_hash(position: int, recorded_at: str, prev_hash: str, event: dict[str, Any]) -> str:
    """The hash of one entry, from the envelope's JSON form (``Envelope.to_dict()``)."""
    header = f"{position}\n{recorded_at}\n{prev_hash}\n".encode("ascii")
    return hashlib.sha256(header + canonical_bytes(event)).hexdigest()


ENVELOPE_KEYS = tuple(sorted((*ENVELOPE_FIELDS[:-1], "payload", *SIGNATURE_FIELDS)))
STORED_COLUMNS = ("position", "recorded_at", "prev_hash", "hash", *ENVELOPE_KEYS)
"""The columns of a stored entry, in the order ``hash_stored`` reads them."""
_PAYLOAD = STORED_COLUMNS.index("payload")
_LABELS = tuple((f'"{key}":', STORED_COLUMNS.index(key)) for key in ENVELOPE_KEYS)
_UNSIGNED = tuple(label for label in _LABELS if label[0][1:-2] not in SIGNATURE_FIELDS)
_SIGNATURE = STORED_COLUMNS.index("signature")


_q = encode_basestring  # a str as JSON text, non-ASCII kept (ensure_ascii=False)


def _json(value: object) -> str:
    if value.__class__ is str:
        return _q(value)
    return "null" if value is None else str(value)


def hash_stored(entry: Sequence[Any]) -> str:
    """The hash of a stored entry (its values in ``STORED_COLUMNS`` order), computed over the
    bytes as they are stored (``stored_material``)."""
    return hashlib.sha256(stored_material(entry)).hexdigest()


def stored_material(entry: Sequence[Any]) -> bytes:
    """The bytes a stored entry's hash covers.

    The canonical envelope is the stored columns in key order with the stored payload text
    spliced in as it is, never parsed and re-encoded: a payload column rewritten into another
    text for the same value (white space, escapes, a duplicate key in front) hashes
    differently and is caught. A sound entry's stored payload is canonical JSON already.
    """
    labels = _UNSIGNED if entry[_SIGNATURE] is None else _LABELS
    body = ",".join(
        [label + (entry[at] if at == _PAYLOAD else _json(entry[at])) for label, at in labels]
    )
    return f"{entry[0]}\n{entry[1]}\n{entry[2]}\n{{{body}}}".encode()


_NULL, _KEY_ID, _SIGNATURE_LABEL = "null", ',"key_id":', ',"signature":'
_HEXDIGEST = methodcaller("hexdigest")


def hash_stored_page(entries: Sequence[Sequence[Any]]) -> list[str] | None:
    """``hash_stored`` of many entries at once: the same bytes, each built by one f-string
    and all hashed with no Python step per entry (what lets ``verify`` keep up with hashlib).

    None if an entry holds a value its column should not (a text column that is not text,
    a number column that is not an integer): the caller then hashes entry by entry with
    ``hash_stored``, whose answer for such an entry is the one that counts.
    ``tests/unit/test_event_log_chain.py`` holds the two to the same bytes.
    """
    try:
        encoded = [
            (
                f'{position}\n{recorded_at}\n{prev_hash}\n{{"actor":{_q(actor)},"causation_id":'
                f"{_NULL if causation_id is None else _q(causation_id)},"
                f'"correlation_id":{_q(correlation_id)},"event_id":{_q(event_id)},'
                f'"event_type":{_q(event_type)}'
                f"{'' if signature is None else _KEY_ID + (_NULL if key is None else _q(key))}"
                f',"occurred_at":{_q(occurred_at)},"payload":{payload:s},"producer":{_q(producer)},'
                f'"schema_version":{schema_version:d}'
                f"{'' if signature is None else _SIGNATURE_LABEL + _q(signature)}"
                f',"stream_id":{_q(stream_id)},"stream_version":{stream_version:d}}}'
            ).encode()
            for (
                position,
                recorded_at,
                prev_hash,
                _hash,
                actor,
                causation_id,
                correlation_id,
                event_id,
                event_type,
                key,
                occurred_at,
                payload,
                producer,
                schema_version,
                signature,
                stream_id,
                stream_version,
            ) in entries
        ]
    except (TypeError, ValueError):  # not text where text belongs, or a non-integer number
        return None
    return list(map(_HEXDIGEST, map(hashlib.sha256, encoded)))


def stored_entry_hash(row: Any) -> str:
    """``hash_stored`` of a row read with named columns."""
    return hash_stored([getattr(row, column) for column in STORED_COLUMNS])


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
    """The ``event_log`` columns that hold an envelope (payload as canonical JSON text;
    ``key_id`` and ``signature`` None for an unsigned event)."""
    payload = canonical_bytes(envelope.payload).decode("utf-8")
    return (
        envelope.to_dict()
        | {"payload": payload, "key_id": envelope.key_id}
        | {"signature": envelope.signature}
    )


def envelope_from_row(row: Any) -> Envelope:
    """Rebuild the logged envelope; a damaged row raises ``ValueError``."""
    signature = {name: getattr(row, name, None) for name in SIGNATURE_FIELDS}
    return Envelope.from_dict(
        {**stored_fields(row), "payload": json.loads(row.payload), **signature}
    )
