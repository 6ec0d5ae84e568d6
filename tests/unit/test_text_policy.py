"""The one text policy and the timestamp range, as every command's fields apply them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from marshmallow import ValidationError, fields, validate

import shared.contracts  # noqa: F401 - declares every command
from shared.contracts.fields import Id, Prose, ResidentIdNumber, Text, UtcDateTime, free_text
from shared.contracts.records import COMMANDS
from shared.contracts.text_policy import PROSE_PATTERN, TEXT_PATTERN
from shared.events.canonical import format_timestamp

SPOOFS = {
    "a lone surrogate": "Sun\ud800",
    "NUL": "Sun\x00",
    "an ANSI escape": "\x1b[31mSun",
    "CR LF": "Sun\r\nYue",
    "a right-to-left override": "Sun\u202eeuY",
    "a left-to-right embedding": "\u202aSun",
    "a bidi isolate": "\u2066Sun\u2069",
    "a zero-width space": "Sun\u200bYue",
    "a zero-width joiner": "Sun\u200dYue",
    "a word joiner": "Sun\u2060Yue",
    "a byte-order mark": "\ufeffSun",
    "a line separator": "Sun\u2028Yue",
    "a paragraph separator": "Sun\u2029Yue",
    "a C1 control": "Sun\x85Yue",
    "a tag character": "Sun\U000e0041",
    "a noncharacter": "Sun\uffff",
}


def load(field: fields.Field, value: object) -> object:
    return field.deserialize(value)


@pytest.mark.parametrize("text", SPOOFS.values(), ids=SPOOFS.keys())
def test_a_name_with_a_spoofing_or_unstorable_character_is_refused_naming_the_code_point(text):
    with pytest.raises(ValidationError) as refused:
        load(Text(50), text)
    (message,) = refused.value.messages
    assert message.startswith("must not contain U+")
    assert "Sun" not in message


@pytest.mark.parametrize("text", SPOOFS.values(), ids=SPOOFS.keys())
def test_prose_refuses_the_same_characters(text):
    with pytest.raises(ValidationError):
        load(free_text(), text)


def test_prose_may_hold_line_feeds_but_not_carriage_returns():
    assert load(free_text(), "first line\nsecond line\n") == "first line\nsecond line\n"
    with pytest.raises(ValidationError):
        load(free_text(), "first line\r\nsecond line")


def test_prose_may_be_empty_and_a_name_may_not_be_blank():
    assert load(free_text(), "") == ""
    with pytest.raises(ValidationError):
        load(Text(50), " \u3000 ")


def test_text_is_normalised_to_nfc_and_trimmed():
    assert load(Text(50), "  Jose\u0301 ") == "Jos\u00e9"


def test_chinese_names_rare_characters_and_private_use_pass():
    for name in ("孙悦", "𠮷野家", "王\ue000", "Zoë Ångström"):
        assert load(Text(50), name) == name


def test_length_counts_code_points_after_normalisation_and_before():
    with pytest.raises(ValidationError, match="at most 3"):
        load(Text(3), "e\u0301e\u0301e\u0301")  # six code points as sent
    assert load(Text(3), "abc") == "abc"
    with pytest.raises(ValidationError):
        load(Text(3), "abcd")
    assert load(Text(6), "e\u0301e\u0301e\u0301") == "\u00e9\u00e9\u00e9"


STATED = [
    text for name, text in SPOOFS.items() if name not in ("a lone surrogate", "a tag character")
]


@pytest.mark.parametrize("text", [*STATED, " ", ""])
def test_the_documented_pattern_refuses_what_the_field_refuses(text):
    """All in the BMP but lone surrogates (no JSON Schema string holds one); the rest is said
    in words (see ``text_policy``)."""
    assert re.fullmatch(TEXT_PATTERN, text) is None


@pytest.mark.parametrize("text", ["孙悦", " Zoë ", "𠮷", "a\u00a0b"])
def test_the_documented_pattern_admits_what_the_field_admits(text):
    assert re.fullmatch(TEXT_PATTERN, text) is not None
    assert load(Text(50), text)


def test_the_prose_pattern_admits_line_feeds_only():
    assert re.fullmatch(PROSE_PATTERN, "a\nb") is not None
    assert re.fullmatch(PROSE_PATTERN, "") is not None
    assert re.fullmatch(PROSE_PATTERN, "a\r\nb") is None


def test_every_text_field_of_every_exposed_command_is_under_the_policy():
    """A command field that takes free text must be ``Text`` or ``free_text``; other strings
    are ids, ID numbers, or closed (a choice, a pattern)."""
    loose = []
    for command in COMMANDS:
        if not command.exposed:
            continue
        for name, field in command.schema().fields.items():
            inner = field.inner if isinstance(field, fields.List) else field
            if not isinstance(inner, fields.String):
                continue
            if isinstance(inner, Text | Prose | Id | ResidentIdNumber):
                continue
            if any(isinstance(v, validate.OneOf | validate.Regexp) for v in inner.validators):
                continue
            loose.append(f"{command.__name__}.{name}")
    assert loose == []


@pytest.mark.parametrize(
    "written",
    [
        "9999-12-31T23:59:59-05:00",
        "0001-01-01T00:00:00+01:00",
        "1899-12-31T23:59:59Z",
        "1900-01-01T00:30:00+01:00",
        "0999-06-01T00:00:00Z",
    ],
)
def test_a_timestamp_outside_1900_to_9999_utc_is_refused_cleanly(written):
    with pytest.raises(ValidationError, match="from 1900-01-01T00:00:00Z"):
        load(UtcDateTime(), written)


def test_the_range_edges_are_accepted():
    assert load(UtcDateTime(), "1900-01-01T00:00:00Z") == datetime(1900, 1, 1, tzinfo=UTC)
    assert load(UtcDateTime(), "9999-12-31T23:59:59+00:00").year == 9999


def test_a_timestamp_is_formatted_with_a_four_digit_year_always():
    assert format_timestamp(datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC)) == (
        "0999-01-02T03:04:05.000000Z"
    )
    assert format_timestamp(datetime(2026, 7, 1, 8, tzinfo=UTC)) == "2026-07-01T08:00:00.000000Z"
