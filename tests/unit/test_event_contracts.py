from datetime import UTC, datetime, timedelta, timezone

import pytest

from shared.contracts import CONTRACTS
from shared.contracts.registry import ContractRegistry, InvalidPayloadError
from shared.events.canonical import NonCanonicalValueError, canonical_bytes, format_timestamp
from shared.events.envelope import Envelope, MalformedEnvelopeError
from tests.factories import make_resident_id

STUDENT = "6f1c1e9a-8a5e-4a53-9d0e-6d1b5b1f0a11"
CAMPAIGN = "0b6a3f7e-2d7c-4b7a-9e51-3c2d1f0e9a22"


def make_envelope(**overrides):
    values = {
        "event_type": "AllianceJoined",
        "schema_version": 1,
        "stream_id": f"student-{STUDENT}",
        "stream_version": 1,
        "producer": "recruitment",
        "actor": "student:x",
        "correlation_id": "corr-1",
        "payload": {"student_id": STUDENT, "campaign_id": CAMPAIGN},
    }
    values.update(overrides)
    return Envelope(**values)


def test_canonical_encoding_sorts_keys_and_keeps_chinese_text_readable():
    assert canonical_bytes({"b": 1, "a": "引力"}) == '{"a":"引力","b":1}'.encode()


def test_canonical_encoding_refuses_floats():
    with pytest.raises(NonCanonicalValueError):
        canonical_bytes({"score": 4.5})


@pytest.mark.parametrize(
    "value",
    [
        {"id": 7, "key": 4.5},  # a float among plain values
        {1: "one"},  # a key that is not a string, beside plain values
        {"at": "x", "nested": {2: "two"}},
        {"list": [1, 2.5]},
        {"what": object()},
    ],
)
def test_canonical_encoding_refuses_what_has_no_canonical_form_at_any_depth(value):
    with pytest.raises(NonCanonicalValueError):
        canonical_bytes(value)


def test_canonical_encoding_renders_nested_timestamps_and_keeps_subclasses_of_text():
    class Channel(str):
        pass

    moment = datetime(2023, 7, 1, 8, 0, tzinfo=timezone(timedelta(hours=8)))
    value = {"b": [{"at": moment}], "a": Channel("web"), "c": None, "d": True}
    assert canonical_bytes(value) == (
        b'{"a":"web","b":[{"at":"2023-07-01T00:00:00.000000Z"}],"c":null,"d":true}'
    )


def test_what_a_producer_signs_is_the_envelope_without_its_signature():
    envelope = make_envelope()
    signed = envelope.signed("key-1", "c2lnbmF0dXJl")
    assert signed.unsigned_dict() == envelope.to_dict()
    assert signed.to_dict() == {"key_id": "key-1", "signature": "c2lnbmF0dXJl"} | envelope.to_dict()


def test_timestamps_are_rendered_in_utc_with_microseconds():
    moment = datetime(2023, 7, 1, 8, 0, tzinfo=timezone(timedelta(hours=8)))
    assert format_timestamp(moment) == "2023-07-01T00:00:00.000000Z"


def test_naive_timestamps_are_refused():
    with pytest.raises(NonCanonicalValueError):
        format_timestamp(datetime(2023, 7, 1))  # noqa: DTZ001 - the point of the test


def test_an_envelope_survives_its_json_form():
    envelope = make_envelope()
    assert Envelope.from_dict(envelope.to_dict()) == envelope


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("event_id", "not-a-uuid"),
        ("stream_version", 0),
        ("stream_version", "1"),
        ("occurred_at", "yesterday"),
        ("payload", [1]),
        ("event_type", ""),
    ],
)
def test_a_malformed_envelope_is_refused(field, value):
    data = make_envelope().to_dict()
    data[field] = value
    with pytest.raises(MalformedEnvelopeError):
        Envelope.from_dict(data)


def test_an_envelope_missing_fields_is_refused():
    data = make_envelope().to_dict()
    del data["actor"]
    with pytest.raises(MalformedEnvelopeError, match="actor"):
        Envelope.from_dict(data)


def test_dump_validates_payloads_against_their_contract():
    with pytest.raises(InvalidPayloadError):
        CONTRACTS.dump("AllianceJoined", {"student_id": "nope", "campaign_id": CAMPAIGN})


def test_personal_fields_are_redacted_for_auditors():
    payload = {
        "student_id": STUDENT,
        "campaign_id": CAMPAIGN,
        "name": "王芳",
        "phone": "13900000000",
        "id_number": make_resident_id(3),
        "university": "Henan University",
        "major": "Law",
        "grade": "senior",
        "hometown": "Beiguan Town",
        "channel": "self",
    }
    envelope = make_envelope(event_type="StudentRegistered", payload=payload)
    redacted = CONTRACTS.redact(envelope)["payload"]
    assert {redacted[key] for key in ("name", "phone", "id_number")} == {"[personal data]"}
    assert redacted["university"] == "Henan University"


def test_old_schema_versions_are_upcast_on_read_and_never_rewritten():
    from marshmallow import Schema, fields

    registry = ContractRegistry()

    @registry.contract("DiaryFeatured", 1)
    class V1(Schema):
        title = fields.String(required=True)

    @registry.contract("DiaryFeatured", 2)
    class V2(Schema):
        title = fields.String(required=True)
        language = fields.String(required=True)

    @registry.upcaster("DiaryFeatured", from_version=1)
    def add_language(payload):
        return {**payload, "language": "zh"}

    old = make_envelope(event_type="DiaryFeatured", payload={"title": "第一天"})
    assert registry.load(old) == {"title": "第一天", "language": "zh"}
    assert old.payload == {"title": "第一天"}
    assert registry.upcast(old).schema_version == 2


def test_every_recruitment_event_is_its_own_contract_at_version_1_but_subject_erased():
    import dataclasses

    from shared.contracts.recruitment import events

    declared = [
        member
        for member in vars(events).values()
        if isinstance(member, type)
        and member.__module__ == events.__name__
        and dataclasses.is_dataclass(member)
    ]
    assert len(declared) == 9  # with SubjectErased (docs/privacy.md)
    for event_class in declared:
        assert CONTRACTS.event_class(event_class.__name__) is event_class
        # SubjectErased names the field classes it erases since version 2 (docs/privacy.md)
        expected = 2 if event_class.__name__ == "SubjectErased" else 1
        assert CONTRACTS.latest_version(event_class.__name__) == expected


def test_envelope_times_default_to_now_in_utc():
    assert make_envelope().occurred_at.tzinfo == UTC
