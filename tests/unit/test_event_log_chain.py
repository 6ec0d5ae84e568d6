"""The event log's hash chain and the canonical bytes it is computed over."""

import hashlib
import json
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from shared.eventlog.chain import (
    GENESIS_HASH,
    STORED_COLUMNS,
    entry_hash,
    envelope_columns,
    envelope_from_row,
    envelope_text,
    hash_stored,
    hash_stored_page,
    text_is_canonical,
)
from shared.eventlog.intake import UnloggableMessageError, read_envelope
from shared.eventlog.legacy import LEGACY_COLUMNS, legacy_envelope_text
from shared.eventlog.verify import HeadAnchor, MalformedAnchorError
from shared.events.canonical import NonCanonicalValueError, canonical_bytes
from shared.events.envelope import Envelope

RECORDED_AT = "2023-07-01T08:00:00.000000Z"


def make_envelope(**overrides):
    values = {
        "event_id": "6f1c1e9a-8a5e-4a53-9d0e-6d1b5b1f0a11",
        "event_type": "StudentScreened",
        "schema_version": 1,
        "stream_id": "student-6f1c1e9a",
        "stream_version": 2,
        "occurred_at": datetime(2023, 7, 1, 8, 0, 0, 123456, tzinfo=UTC),
        "producer": "recruitment",
        "actor": "operator:7",
        "correlation_id": "corr-1",
        "causation_id": None,
        "payload": {"reason": "材料齐全", "decision": "approved", "score": 90},
    }
    values.update(overrides)
    return Envelope(**values)


def test_genesis_previous_hash_is_sixty_four_zeros():
    assert GENESIS_HASH == "0" * 64


def test_hashes_position_recorded_at_previous_hash_and_canonical_envelope():
    envelope = make_envelope()
    expected_bytes = (
        b"3\n2023-07-01T08:00:00.000000Z\n" + b"a" * 64 + b"\n"
        b'{"actor":"operator:7","causation_id":null,"correlation_id":"corr-1",'
        b'"event_id":"6f1c1e9a-8a5e-4a53-9d0e-6d1b5b1f0a11","event_type":"StudentScreened",'
        b'"occurred_at":"2023-07-01T08:00:00.123456Z",'
        b'"payload":{"decision":"approved","reason":"' + "材料齐全".encode() + b'","score":90},'
        b'"producer":"recruitment","schema_version":1,"stream_id":"student-6f1c1e9a",'
        b'"stream_version":2}'
    )

    digest = entry_hash(3, RECORDED_AT, "a" * 64, envelope.to_dict())

    assert digest == hashlib.sha256(expected_bytes).hexdigest()


def test_hash_does_not_depend_on_key_order_in_the_payload():
    first = make_envelope(payload={"a": 1, "b": {"y": 2, "x": 3}})
    second = make_envelope(payload={"b": {"x": 3, "y": 2}, "a": 1})

    assert entry_hash(1, RECORDED_AT, GENESIS_HASH, first.to_dict()) == entry_hash(
        1, RECORDED_AT, GENESIS_HASH, second.to_dict()
    )


@pytest.mark.parametrize(
    ("position", "recorded_at", "prev_hash"),
    [
        (2, RECORDED_AT, GENESIS_HASH),
        (1, "2023-07-01T08:00:00.000001Z", GENESIS_HASH),
        (1, RECORDED_AT, "f" * 64),
    ],
)
def test_changes_the_hash_when_position_time_or_link_changes(position, recorded_at, prev_hash):
    event = make_envelope().to_dict()
    original = entry_hash(1, RECORDED_AT, GENESIS_HASH, event)

    assert entry_hash(position, recorded_at, prev_hash, event) != original


def test_changes_the_hash_when_any_envelope_field_changes():
    original = entry_hash(1, RECORDED_AT, GENESIS_HASH, make_envelope().to_dict())
    for change in (
        {"actor": "operator:8"},
        {"stream_version": 3},
        {"payload": {"reason": "x", "decision": "approved", "score": 90}},
    ):
        changed = make_envelope(**change).to_dict()
        assert entry_hash(1, RECORDED_AT, GENESIS_HASH, changed) != original


def test_refuses_to_hash_a_float_anywhere_in_the_event():
    event = make_envelope(payload={"score": 4.5}).to_dict()

    with pytest.raises(NonCanonicalValueError):
        entry_hash(1, RECORDED_AT, GENESIS_HASH, event)


def test_stores_the_canonical_envelope_text_and_rebuilds_the_same_envelope():
    envelope = make_envelope(causation_id="cause-1")
    columns = envelope_columns(envelope)

    rebuilt = envelope_from_row(SimpleNamespace(**columns))

    assert set(columns) == {"envelope"}
    assert columns["envelope"].encode() == canonical_bytes(envelope.to_dict())
    assert '"payload":{"decision":"approved","reason":"材料齐全","score":90}' in columns["envelope"]
    assert '"occurred_at":"2023-07-01T08:00:00.123456Z"' in columns["envelope"]
    assert rebuilt == envelope


def test_reads_a_message_body_into_an_envelope():
    envelope = make_envelope()

    assert read_envelope(json.dumps(envelope.to_dict()).encode()) == envelope


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"event_id": "x"}',
        b"\xff\xfe\x00",
        json.dumps(make_envelope(payload={"score": 4.5}).to_dict()).encode(),
    ],
)
def test_rejects_a_message_body_the_log_cannot_store(body):
    with pytest.raises(UnloggableMessageError):
        read_envelope(body)


def test_rejection_names_the_kind_of_problem_not_the_content():
    event = make_envelope().to_dict() | {"occurred_at": "13800138000"}
    body = json.dumps(event).encode()

    with pytest.raises(UnloggableMessageError) as raised:
        read_envelope(body)

    assert "13800138000" not in str(raised.value)


def test_parses_an_expected_head():
    anchor = HeadAnchor.parse("42:" + "AB" * 32)

    assert anchor == HeadAnchor(42, "ab" * 32)
    assert str(anchor) == "42:" + "ab" * 32


@pytest.mark.parametrize("text", ["42", "x:" + "a" * 64, "42:" + "a" * 63, "42:" + "g" * 64])
def test_rejects_a_malformed_expected_head(text):
    with pytest.raises(MalformedAnchorError):
        HeadAnchor.parse(text)


def stored_entry(**overrides):
    """A stored entry's values in ``STORED_COLUMNS`` order, as a database driver returns them."""
    values = {
        **envelope_columns(make_envelope(causation_id="cause-1")),
        "position": 7,
        "recorded_at": RECORDED_AT,
        "prev_hash": "b" * 64,
        "hash": "c" * 64,
    }
    values.update(overrides)
    return tuple(values[column] for column in STORED_COLUMNS)


ODD_BUT_STORED = [
    {},
    {"envelope": envelope_text(make_envelope(actor='operator:"q" \\ b\nx\x00\x1f\x7f 张三'))},
    {"envelope": envelope_text(make_envelope(stream_id="student-\u2028\ud7ff"))},
    {"envelope": envelope_text(make_envelope().signed("4927e0405ba4306b", "c2lnbmF0dXJl"))},
    {"envelope": '{"a": 1}'},
    {"envelope": None},
    {"envelope": b"{}"},
    {"position": "7"},
]


@pytest.mark.parametrize("overrides", ODD_BUT_STORED)
def test_hashes_a_page_of_stored_entries_to_the_same_bytes_as_one_at_a_time(overrides):
    entries = [stored_entry(), stored_entry(**overrides), stored_entry(position=8)]

    assert hash_stored_page(entries) == [hash_stored(entry) for entry in entries]


@pytest.mark.parametrize("signed", [False, True])
def test_a_stored_entry_hashes_as_its_envelope_does(signed):
    envelope = make_envelope(causation_id="cause-1")
    if signed:
        envelope = envelope.signed("4927e0405ba4306b", "c2lnbmF0dXJl")
    entry = stored_entry(envelope=envelope_text(envelope))

    assert hash_stored(entry) == entry_hash(7, RECORDED_AT, "b" * 64, envelope.to_dict())


def legacy_entry(envelope, **overrides):
    """An entry as the log stored it before it kept the envelope text (``LEGACY_COLUMNS``)."""
    values = envelope.to_dict()
    values["payload"] = canonical_bytes(envelope.payload).decode("utf-8")
    values |= {"position": 7, "recorded_at": RECORDED_AT, "prev_hash": "b" * 64, "hash": "c" * 64}
    values = dict.fromkeys(LEGACY_COLUMNS) | values | overrides
    return [values[column] for column in LEGACY_COLUMNS]


@pytest.mark.parametrize(
    "envelope",
    [
        make_envelope(),
        make_envelope(causation_id="c", actor='o"p\n\x01张', payload={"n": 10**30, "a": []}),
        make_envelope().signed("4927e0405ba4306b", "c2lnbmF0dXJl"),
    ],
)
def test_an_old_entry_becomes_exactly_the_envelope_text_it_was_hashed_as(envelope):
    assert legacy_envelope_text(legacy_entry(envelope)) == envelope_text(envelope)


def test_an_old_entry_keeps_a_rewritten_payload_text_as_it_is():
    entry = legacy_entry(make_envelope(), payload='{"decision": "approved"}')

    text = legacy_envelope_text(entry)

    assert '"payload":{"decision": "approved"},' in text
    assert not text_is_canonical(text)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ('{"a":1,"b":"张"}', True),
        ('{"a": 1}', False),
        ('{"a":"\\u5f20"}', False),
        ('{"a":1,"a":1}', False),
        ('{"a":{"b":1,"b":2}}', False),
        ("[]", False),
        ("not json", False),
        (None, False),
    ],
)
def test_tells_canonical_stored_text_from_any_other(text, canonical):
    assert text_is_canonical(text) is canonical
