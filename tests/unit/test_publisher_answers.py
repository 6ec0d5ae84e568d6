"""Reading the broker's confirms for a batch, and the published JSON of a stored event."""

import json
from types import SimpleNamespace

from shared.events.envelope import Envelope
from shared.eventstore.store import envelope_to_row, row_to_envelope, row_to_json
from shared.messaging.publisher_confirms import FramedBatch, _Answers


def batch(first_tag, count):
    return FramedBatch([f"event-{first_tag + n}" for n in range(count)], first_tag, b"")


def returned(message_id):
    return SimpleNamespace(properties={"message_id": message_id})


def test_a_multiple_ack_confirms_every_tag_up_to_it():
    answers = _Answers()
    answers.on_ack(3, multiple=True)
    answers.on_ack(5, multiple=True)
    assert answers.highest == 5
    assert answers.confirmed_prefix(batch(1, 5)) == 5


def test_a_nack_ends_the_confirmed_prefix_even_when_later_tags_are_acked():
    answers = _Answers()
    answers.on_ack(2, multiple=True)
    answers.on_nack(3, multiple=False)
    answers.on_ack(5, multiple=True)
    assert answers.confirmed_prefix(batch(1, 5)) == 2


def test_a_returned_message_ends_the_confirmed_prefix_though_the_broker_acked_it():
    answers = _Answers()
    answers.on_return(None, "recruitment.events", "StudentRegistered", returned("event-3"))
    answers.on_ack(4, multiple=True)
    assert answers.confirmed_prefix(batch(1, 4)) == 2


def test_a_batch_framed_ahead_is_judged_on_its_own_tags():
    answers = _Answers()
    answers.on_return(None, "recruitment.events", "StudentRegistered", returned("event-2"))
    answers.on_ack(3, multiple=True)
    assert answers.confirmed_prefix(batch(1, 3)) == 1
    answers.on_ack(6, multiple=True)
    assert answers.confirmed_prefix(batch(4, 3)) == 3
    assert answers.acked == set()
    assert answers.returned_ids == set()


def test_the_published_json_of_a_stored_row_is_the_envelope_s_json():
    envelope = Envelope(
        event_type="StudentRegistered",
        schema_version=1,
        stream_id="student-1",
        stream_version=1,
        producer="recruitment",
        actor="operator:王",
        correlation_id="corr",
        causation_id=None,
        payload={"name": "张伟", "nested": {"b": 1.5, "a": [1, "二"]}, "ratio": 0.1},
    )
    row = SimpleNamespace(seq=1, **envelope_to_row(envelope))
    expected = json.dumps(row_to_envelope(row).to_dict(), ensure_ascii=False)
    assert row_to_json(row) == expected
    assert Envelope.from_dict(json.loads(row_to_json(row))) == envelope
