"""An event's payload is dumped and checked in one pass over its fields, with the verdict of
marshmallow's dump followed by a full validate: invalid events are still refused."""

from datetime import UTC, datetime

import pytest
from marshmallow import ValidationError, fields, validates_schema

from shared.contracts import CONTRACTS
from shared.contracts.registry import ContractRegistry, InvalidPayloadError
from shared.contracts.schemas import StrictSchema

STUDENT = "6f1c1e9a-8a5e-4a53-9d0e-6d1b5b1f0a11"
CAMPAIGN = "0b6a3f7e-2d7c-4b7a-9e51-3c2d1f0e9a22"


def registration(**overrides):
    values = {
        "student_id": STUDENT,
        "campaign_id": CAMPAIGN,
        "name": "欧阳明轩",
        "phone": "13700001234",
        "id_number": "410102199001010011",
        "university": "Henan University",
        "major": "Law",
        "grade": "junior",
        "hometown": "Beiguan Town",
        "channel": "organisation",
    }
    return values | overrides


def two_passes(event_type, values):
    """What ``dump`` answered before it took one pass: dump, then validate the dump."""
    schema = CONTRACTS.get(event_type, CONTRACTS.latest_version(event_type)).schema
    try:
        payload = schema.dump(values)
    except ValidationError as error:  # a field that cannot even be written (an id)
        return None, error.messages
    return payload, schema.validate(payload)


def test_a_valid_registration_dumps_as_marshmallow_dumps_it():
    values = registration()
    assert CONTRACTS.dump("StudentRegistered", values) == (
        1,
        two_passes("StudentRegistered", values)[0],
    )


@pytest.mark.parametrize(
    "overrides",
    [
        {"student_id": "not-a-uuid"},
        {"channel": "carrier pigeon"},
        {"name": None},
        {"channel": "carrier pigeon", "grade": None},
    ],
)
def test_an_invalid_registration_is_refused_with_the_errors_validate_gave(overrides):
    values = registration(**overrides)
    _, expected = two_passes("StudentRegistered", values)
    assert expected  # the case is invalid by the schema's own verdict
    with pytest.raises(InvalidPayloadError) as refused:
        CONTRACTS.dump("StudentRegistered", values)
    assert refused.value.errors == expected


def test_a_registration_missing_a_required_field_is_refused():
    values = registration()
    del values["phone"]
    with pytest.raises(InvalidPayloadError) as refused:
        CONTRACTS.dump("StudentRegistered", values)
    assert set(refused.value.errors) == {"phone"}


def test_a_schema_with_a_schema_level_rule_still_has_that_rule_applied():
    registry = ContractRegistry()

    @registry.contract("SeasonPlanned", 1)
    class SeasonPlanned(StrictSchema):
        opens_at = fields.AwareDateTime(required=True)
        closes_at = fields.AwareDateTime(required=True)

        @validates_schema
        def _closes_after_opening(self, data, **_kwargs):
            if data["closes_at"] <= data["opens_at"]:
                raise ValueError("closes before it opens")

    opens = datetime(2026, 7, 1, tzinfo=UTC)
    assert registry.dump("SeasonPlanned", {"opens_at": opens, "closes_at": opens.replace(month=8)})
    with pytest.raises(ValueError, match="closes before it opens"):
        registry.dump("SeasonPlanned", {"opens_at": opens, "closes_at": opens})


def test_a_number_in_a_plain_text_field_is_written_as_marshmallow_writes_it():
    values = registration(major=12)
    expected, errors = two_passes("StudentRegistered", values)
    assert not errors
    assert CONTRACTS.dump("StudentRegistered", values) == (1, expected)
    assert expected["major"] == "12"


def test_an_id_in_capitals_is_written_in_its_canonical_form_as_before():
    values = registration(student_id=STUDENT.upper())
    expected, errors = two_passes("StudentRegistered", values)
    assert not errors
    assert CONTRACTS.dump("StudentRegistered", values) == (1, expected)
    assert expected["student_id"] == STUDENT
