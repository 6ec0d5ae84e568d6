"""The auditor API's query strings and response bodies.

Positions page the log: ``after`` and ``before`` exclude the positions they name, and a full
page answers ``next_after``, the ``after`` of the next page. ``from`` and ``until`` bound the
time the log recorded an entry (``recorded_at``), both inclusive.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from gateway.core.schemas import timestamp
from shared.contracts.fields import Id, UtcDateTime
from shared.contracts.schemas import StrictSchema

MAX_POSITION = 2**31 - 1  # the log's position column is a 32-bit integer
MAX_PAGE = 1000
DEFAULT_PAGE = 100


def position(**kwargs: Any) -> fields.Integer:
    return fields.Integer(validate=validate.Range(min=0, max=MAX_POSITION), **kwargs)


def tree_size(**kwargs: Any) -> fields.Integer:
    return fields.Integer(validate=validate.Range(min=1, max=MAX_POSITION), **kwargs)


def page_limit() -> fields.Integer:
    return fields.Integer(load_default=DEFAULT_PAGE, validate=validate.Range(min=1, max=MAX_PAGE))


class AuditEventsQuery(StrictSchema):
    event_type = fields.String(data_key="type", validate=validate.Length(min=1, max=200))
    stream_id = fields.String(data_key="stream", validate=validate.Length(min=1, max=200))
    after = position(load_default=0)
    before = tree_size()
    recorded_from = UtcDateTime(data_key="from")
    recorded_until = UtcDateTime(data_key="until")
    limit = page_limit()

    @validates_schema
    def _check_time_range(self, data: dict[str, Any], **_kwargs: Any) -> None:
        start, end = data.get("recorded_from"), data.get("recorded_until")
        if start is not None and end is not None and end < start:
            raise ValidationError("must not be before from", "until")


class CheckpointsQuery(StrictSchema):
    after = position(load_default=0)
    limit = page_limit()


class InclusionProofQuery(StrictSchema):
    event_id = Id(required=True)
    size = tree_size(
        metadata={
            "description": "the tree to prove against (default: the first "
            "signed checkpoint that holds the event)"
        }
    )


class ConsistencyProofQuery(StrictSchema):
    old_size = tree_size(data_key="from", required=True)
    new_size = tree_size(data_key="to", required=True)

    @validates_schema
    def _check_order(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data["new_size"] < data["old_size"]:
            raise ValidationError("must not be less than from", "to")


def hex_digest(**kwargs: Any) -> fields.String:
    """64 lower-case hex digits (a SHA-256)."""
    return fields.String(metadata={"pattern": "^[0-9a-f]{64}$"}, **kwargs)


class LoggedEventResponse(Schema):
    """The envelope exactly as logged, except the redacted payload."""

    event_id = fields.String(required=True)
    event_type = fields.String(required=True)
    schema_version = fields.Integer(required=True)
    stream_id = fields.String(required=True)
    stream_version = fields.Integer(required=True)
    occurred_at = timestamp(required=True)
    producer = fields.String(required=True)
    correlation_id = fields.String(required=True)
    causation_id = fields.String(required=True, allow_none=True)
    actor = fields.String(required=True)
    key_id = fields.String(
        metadata={"description": "The producer's signing key; absent on an unsigned event"}
    )
    signature = fields.String(
        metadata={"description": "Ed25519, base64; absent on an event logged before signing"}
    )
    payload = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={
            "description": 'Fields the contract marks personal read "[personal data]"; an '
            "event without a known contract has every value withheld. Redacted payloads "
            "cannot be re-hashed."
        },
    )


class AuditEntryResponse(Schema):
    position = fields.Integer(required=True)
    hash = hex_digest(required=True)
    recorded_at = timestamp(required=True)
    event = fields.Nested(LoggedEventResponse, required=True)


class AuditEventsResponse(Schema):
    events = fields.List(fields.Nested(AuditEntryResponse), required=True)
    limit = fields.Integer(required=True)
    next_after = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "after= for the next page; null when this page was the last"},
    )


class CheckpointResponse(Schema):
    """A checkpoint the log signed (Ed25519, base64) over the canonical JSON of
    {"log": "gravity-event-log", "position", "head_hash", "merkle_root", "signed_at"}."""

    position = fields.Integer(required=True)
    head_hash = hex_digest(required=True)
    merkle_root = hex_digest(required=True)
    signed_at = timestamp(required=True)
    key_id = fields.String(required=True)
    signature = fields.String(required=True)


def checkpoint_field(description: str) -> fields.Nested:
    return fields.Nested(
        CheckpointResponse, required=True, allow_none=True, metadata={"description": description}
    )


class HeadResponse(Schema):
    position = fields.Integer(required=True)
    hash = hex_digest(required=True)
    checkpoint = checkpoint_field("the newest signed checkpoint; null before the first")


class CheckpointsResponse(Schema):
    checkpoints = fields.List(fields.Nested(CheckpointResponse), required=True)
    limit = fields.Integer(required=True)
    next_after = fields.Integer(required=True, allow_none=True)


class InclusionProofResponse(Schema):
    """RFC 9162 inclusion proof of one entry: ``path`` from leaf to root, hex."""

    event_id = fields.String(required=True)
    position = fields.Integer(required=True)
    leaf_index = fields.Integer(required=True)
    tree_size = fields.Integer(required=True)
    leaf_hash = hex_digest(required=True)
    root = hex_digest(required=True)
    path = fields.List(hex_digest(), required=True)
    checkpoint = checkpoint_field("the checkpoint signed at tree_size, whose root this is")


class ConsistencyProofResponse(Schema):
    """RFC 9162 consistency proof: the log of old_size entries is a prefix of new_size's."""

    old_size = fields.Integer(required=True)
    new_size = fields.Integer(required=True)
    old_root = hex_digest(required=True)
    new_root = hex_digest(required=True)
    path = fields.List(hex_digest(), required=True)
    old_checkpoint = checkpoint_field("the checkpoint signed at old_size, if any")
    new_checkpoint = checkpoint_field("the checkpoint signed at new_size, if any")
