"""Event ids are UUIDs of version 7: they begin with the time they were made, so the log's
event-id index grows at its end, and every reader of a UUID still takes them."""

from __future__ import annotations

import uuid

from shared.events.envelope import Envelope
from shared.events.ids import time_ordered_id

A_MOMENT_NS = 1_764_547_200_123_456_789  # 2025-12-01 00:00:00.123 UTC


def make_envelope(**overrides: object) -> Envelope:
    values: dict[str, object] = {
        "event_type": "AllianceJoined",
        "schema_version": 1,
        "stream_id": "student-1",
        "stream_version": 1,
        "producer": "recruitment",
        "actor": "student:x",
        "correlation_id": "corr-1",
        "payload": {},
    }
    return Envelope(**(values | overrides))  # type: ignore[arg-type]


def test_an_event_id_is_a_version_7_uuid_of_the_rfc_variant() -> None:
    text = time_ordered_id()
    made = uuid.UUID(text)

    assert str(made) == text  # lower-case, hyphenated: the canonical text form
    assert made.version == 7
    assert made.variant == uuid.RFC_4122


def test_an_event_id_begins_with_its_milliseconds() -> None:
    made = uuid.UUID(time_ordered_id(A_MOMENT_NS))

    assert made.int >> 80 == A_MOMENT_NS // 1_000_000


def test_ids_made_a_millisecond_apart_sort_in_the_order_they_were_made() -> None:
    ids = [time_ordered_id(A_MOMENT_NS + n * 1_000_000) for n in range(100)]

    assert ids == sorted(ids)
    assert len(set(ids)) == 100


def test_ids_made_in_the_same_millisecond_differ() -> None:
    ids = {time_ordered_id(A_MOMENT_NS) for _ in range(1000)}

    assert len(ids) == 1000
    assert {value[:13] for value in ids} == {time_ordered_id(A_MOMENT_NS)[:13]}


def test_a_new_envelope_gets_a_time_ordered_id_that_reads_back() -> None:
    envelope = make_envelope()

    assert uuid.UUID(envelope.event_id).version == 7
    assert Envelope.from_dict(envelope.to_dict()) == envelope


def test_an_envelope_with_a_random_id_made_before_still_reads_back() -> None:
    envelope = make_envelope(event_id=str(uuid.uuid4()))

    assert Envelope.from_dict(envelope.to_dict()).event_id == envelope.event_id
