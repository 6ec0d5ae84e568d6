"""The access records' query and answer."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.contracts.schemas import StrictSchema

MAX_PAGE = 200


class AccessPageQuery(StrictSchema):
    after = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=2**62),
        metadata={"description": "the number of the last record already seen"},
    )
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE))


class AccessRecordResponse(Schema):
    number = fields.Integer(
        required=True, metadata={"description": "its place among the subject's records"}
    )
    event_id = fields.UUID(required=True)
    accessed_at = fields.String(required=True, metadata={"format": "date-time"})
    actor = fields.String(
        required=True, metadata={"description": "who read, e.g. operator:<account id>"}
    )
    purpose = fields.String(required=True, metadata={"description": "profile, transcript, ..."})
    resource = fields.String(required=True, metadata={"description": "what, by ids only"})


class AccessPageResponse(Schema):
    items = fields.List(fields.Nested(AccessRecordResponse), required=True)
    next_after = fields.Integer(
        allow_none=True, required=True, metadata={"description": "after= for the next page"}
    )
