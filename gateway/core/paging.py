"""Cursor-paged lists: ``?limit=&cursor=&sort=`` in, ``{"items": [...], "next_cursor": ...}`` out.

A page is a keyset on a sort key that never changes once a row exists (a registration time,
a university, a host unit's name), ended by the row's id so that no two rows tie. The cursor
is the last row's key, opaque to clients (base64url of JSON); the next page holds the rows
strictly after it. So rows written while a client walks the pages may or may not show up,
but every row that was there when the walk began (and still matches) is shown once: none is
skipped or repeated, as an offset would do when rows are inserted before it.

The cursor names its sort: a cursor of another sort, or anything that is not a cursor of
the list's shape, answers 422 VALIDATION_FAILED. Its values only ever become bound
parameters, and hold no personal data (no list sorts by a name).
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from marshmallow import Schema, fields, validate
from sqlalchemy.engine import Connection

from gateway.core.errors import ApiError
from shared.contracts.fields import Id
from shared.contracts.schemas import StrictSchema, rule_of

DEFAULT_LIMIT, MAX_LIMIT = 50, 200
CURSOR_PATTERN = r"^[A-Za-z0-9_-]{1,1024}$"
_KEY_VALUE_MAX = 512
Row = dict[str, Any]


@dataclass(frozen=True)
class SortKey:
    """One order a list offers: columns that never change once a row exists, the row's id
    last (unique), all ascending or all descending."""

    name: str
    columns: tuple[sa.ColumnElement[Any], ...]
    descending: bool = False

    def order_by(self) -> list[sa.ColumnElement[Any]]:
        return [column.desc() if self.descending else column.asc() for column in self.columns]

    def after(self, values: Sequence[Any]) -> sa.ColumnElement[bool]:
        """Rows strictly beyond ``values`` in this order."""
        here = sa.tuple_(*self.columns)
        there = sa.tuple_(*(sa.literal(value) for value in values))
        return here < there if self.descending else here > there


def sort_options(*keys: SortKey) -> dict[str, SortKey]:
    return {key.name: key for key in keys}


def paging_fields(sorts: Mapping[str, SortKey], default: str) -> dict[str, fields.Field[Any]]:
    """The query-string fields every list takes (add them to its query schema)."""
    return {
        "limit": fields.Integer(
            load_default=DEFAULT_LIMIT,
            validate=validate.Range(min=1, max=MAX_LIMIT),
            metadata={"description": f"Items per page, 1 to {MAX_LIMIT}."},
        ),
        "cursor": fields.String(
            validate=validate.Regexp(CURSOR_PATTERN),
            metadata={
                "pattern": CURSOR_PATTERN,
                "description": "The previous page's next_cursor (opaque); absent for the first "
                "page. Valid with the same sort only.",
            },
        ),
        "sort": fields.String(
            load_default=default,
            validate=validate.OneOf(tuple(sorts)),
            metadata={"description": "The order; a leading - is newest or last first."},
        ),
    }


def filter_of(record: type[Any], name: str, **metadata: Any) -> fields.Field[Any]:
    """An optional query-string filter with the rules of a contract's field (a university
    is filtered by what a registration may hold)."""
    field = copy.deepcopy(rule_of(record, name))
    field.required = False
    field.metadata = {**field.metadata, **metadata}
    return field


def id_filter() -> Id:
    """An optional query-string filter by id (an empty one is refused, not "no filter")."""
    return Id(validate=validate.Length(min=1))


def page_query(
    name: str, sorts: Mapping[str, SortKey], default: str, filters: Mapping[str, fields.Field[Any]]
) -> type[StrictSchema]:
    """A list's query-string schema: its filters and the paging fields."""
    declared = dict(filters) | paging_fields(sorts, default)
    schema: type[StrictSchema] = StrictSchema.from_dict(declared, name=name)  # type: ignore[assignment]
    return schema


def page_response(
    name: str, item: type[Schema], also: Mapping[str, fields.Field[Any]] | None = None
) -> type[Schema]:
    """A page's response schema: the items and the cursor of the next page (null at the end).

    ``also``: the fields a list answered before it was paged (its items under their old name,
    the same page as ``items``), kept so that no published field disappears."""
    return Schema.from_dict(
        dict(also or {})
        | {
            "items": fields.List(fields.Nested(item), required=True),
            "next_cursor": fields.String(
                required=True,
                allow_none=True,
                metadata={
                    "pattern": CURSOR_PATTERN,
                    "description": "Pass as cursor for the next page; null on the last page.",
                },
            ),
        },
        name=name,
    )


def encode_cursor(sort: str, values: Sequence[Any]) -> str:
    raw = json.dumps([sort, *values], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, key: SortKey) -> list[Any]:
    """The key values a cursor holds, or 422 when it is not a cursor of this sort."""
    refused = ApiError(
        "VALIDATION_FAILED",
        "the cursor is not one this list gave for this sort",
        {"fields": {"cursor": ["not a cursor of this list and sort"]}},
    )
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        decoded = json.loads(raw.decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError, RecursionError):
        raise refused from None
    if (
        not isinstance(decoded, list)
        or len(decoded) != len(key.columns) + 1
        or decoded[0] != key.name
        or not all(_plain(value) for value in decoded[1:])
    ):
        raise refused
    return decoded[1:]


def _plain(value: Any) -> bool:
    """A key value that a database takes as a parameter: printable text (no NUL, no lone
    surrogate) or an integer."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) < 2**63
    return isinstance(value, str) and len(value) <= _KEY_VALUE_MAX and value.isprintable()


def fetch_page(
    connection: Connection, query: sa.Select[Any], key: SortKey, limit: int, cursor: str | None
) -> tuple[list[Row], str | None]:
    """One page of ``query`` in ``key``'s order after ``cursor``, and the next page's cursor."""
    labels = [f"_page_key_{index}" for index in range(len(key.columns))]
    keyed = query.add_columns(
        *(column.label(label) for column, label in zip(key.columns, labels, strict=True))
    )
    if cursor is not None:
        keyed = keyed.where(key.after(decode_cursor(cursor, key)))
    keyed = keyed.order_by(*key.order_by()).limit(limit + 1)
    rows = [dict(row._mapping) for row in connection.execute(keyed)]
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more:
        next_cursor = encode_cursor(key.name, [rows[-1][label] for label in labels])
    for row in rows:
        for label in labels:
            del row[label]
    return rows, next_cursor
