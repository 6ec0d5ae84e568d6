"""The cursor of a paged list: opaque, tied to its sort, refused when the gateway did not
make it, and the query strings that every list takes."""

from __future__ import annotations

import base64
import json
import re

import pytest
import sqlalchemy as sa

from gateway.core.errors import ApiError
from gateway.core.paging import (
    CURSOR_PATTERN,
    MAX_LIMIT,
    SortKey,
    decode_cursor,
    encode_cursor,
    page_query,
    sort_options,
)
from gateway.core.request_body import load

things = sa.Table(
    "things",
    sa.MetaData(),
    sa.Column("thing_id", sa.String(36), primary_key=True),
    sa.Column("made_at", sa.String(32)),
)
BY_TIME = SortKey("made_at", (things.c.made_at, things.c.thing_id))
SORTS = sort_options(BY_TIME, SortKey("-made_at", BY_TIME.columns, descending=True))
ThingQuery = page_query("ThingQuery", SORTS, "made_at", {})


def raw_cursor(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def test_a_cursor_gives_back_the_key_it_was_made_from_and_looks_opaque():
    cursor = encode_cursor("made_at", ["2026-07-01T08:00:00.000000Z", "湖-7"])
    assert re.fullmatch(CURSOR_PATTERN, cursor)
    assert decode_cursor(cursor, BY_TIME) == ["2026-07-01T08:00:00.000000Z", "湖-7"]


@pytest.mark.parametrize(
    "cursor",
    [
        encode_cursor("-made_at", ["2026-07-01T08:00:00.000000Z", "a"]),  # another sort
        encode_cursor("made_at", ["2026-07-01T08:00:00.000000Z"]),  # a value short
        raw_cursor(["made_at", "2026", "a\u0000b"]),  # NUL: no database takes it
        raw_cursor(["made_at", "2026", "\ud800"]),  # a lone surrogate
        raw_cursor(["made_at", {"a": 1}, "b"]),
        raw_cursor(["made_at", True, "b"]),
        raw_cursor({"made_at": 1}),
        "bm90IGpzb24",  # "not json"
        "A",  # not base64
    ],
)
def test_a_cursor_the_gateway_did_not_make_for_this_sort_is_422(cursor):
    with pytest.raises(ApiError) as refused:
        decode_cursor(cursor, BY_TIME)
    assert (refused.value.status, refused.value.code) == (422, "VALIDATION_FAILED")
    assert refused.value.details == {"fields": {"cursor": ["not a cursor of this list and sort"]}}


def test_every_list_takes_limit_cursor_and_sort_with_defaults():
    assert load(ThingQuery, {}) == {"limit": 50, "sort": "made_at"}
    given = {"limit": "7", "sort": "-made_at", "cursor": "abc_-9"}
    assert load(ThingQuery, given) == {"limit": 7, "sort": "-made_at", "cursor": "abc_-9"}


@pytest.mark.parametrize(
    "bad",
    [
        {"limit": "0"},
        {"limit": str(MAX_LIMIT + 1)},
        {"sort": "thing_id"},
        {"cursor": "has space"},
        {"cursor": ""},
        {"offset": "10"},
    ],
)
def test_a_bad_limit_sort_or_cursor_shape_or_an_unknown_parameter_is_422(bad):
    with pytest.raises(ApiError) as refused:
        load(ThingQuery, bad)
    assert refused.value.code == "VALIDATION_FAILED"


def test_descending_keys_page_backwards():
    descending = SORTS["-made_at"]
    after = descending.after(["t", "id"])
    assert "<" in str(after.compile(compile_kwargs={"literal_binds": True}))
