"""Response schemas: every answer is dumped through one, so that it is what OpenAPI says.

Request bodies need none here: a command route's body is its command's contract.
"""

from __future__ import annotations

import functools
from typing import Any

from marshmallow import Schema, fields

from shared.contracts.fields import PERSONAL_DATA

# Marks personal data for readers of the code and of the OpenAPI document.
PERSONAL: dict[str, Any] = {PERSONAL_DATA: True, "x-personal-data": True}


@functools.cache
def schema_of(schema_class: type[Schema]) -> Schema:
    """One instance per schema class, made once: building an instance deep-copies its fields
    (a measurable share of a request), and an instance keeps no state between loads and dumps."""
    return schema_class()


def dump(schema_class: type[Schema], data: Any) -> dict[str, Any]:
    """A response body through its schema, so that the answer is what OpenAPI says."""
    body: dict[str, Any] = schema_of(schema_class).dump(data)
    return body


def timestamp(**kwargs: Any) -> fields.String:
    """A UTC timestamp, ``YYYY-MM-DDTHH:MM:SS.ffffffZ``."""
    return fields.String(metadata={"format": "date-time"}, **kwargs)


def day(**kwargs: Any) -> fields.String:
    """A calendar date, ``YYYY-MM-DD``."""
    return fields.String(metadata={"format": "date"}, **kwargs)


def error_response() -> type[Schema]:
    """The error body, its ``error`` listing every code of the catalogue."""
    from gateway.core.errors import error_catalogue

    return Schema.from_dict(
        {
            "error": fields.String(required=True, metadata={"enum": sorted(error_catalogue())}),
            "message": fields.String(required=True),
            "details": fields.Dict(required=True),
        },
        name="ErrorResponse",
    )


class HealthResponse(Schema):
    status = fields.String(required=True)


class ReadinessResponse(HealthResponse):
    checks = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    read_model_position = fields.Integer(allow_none=True)
