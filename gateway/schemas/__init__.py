"""marshmallow schemas of the HTTP API: the same classes validate requests and feed OpenAPI."""

from __future__ import annotations

import functools
from typing import Any

from marshmallow import Schema


@functools.cache
def schema_of(schema_class: type[Schema]) -> Schema:
    """One instance per schema class, made once: building an instance deep-copies its fields
    (a measurable share of a request), and an instance keeps no state between loads and dumps."""
    return schema_class()


def dump(schema_class: type[Schema], data: Any) -> dict[str, Any]:
    """A response body through its schema, so that the answer is what OpenAPI says."""
    body: dict[str, Any] = schema_of(schema_class).dump(data)
    return body
