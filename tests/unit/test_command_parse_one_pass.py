"""A command's arguments are parsed in one pass over its fields, with the verdict of its
schema's ``load``: the same command from valid arguments, the same refusal (fields and
messages) from invalid ones."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from marshmallow import ValidationError

from shared.contracts import CONTRACTS, records
from shared.contracts.honors.commands import DefineTitle
from shared.contracts.placement.commands import OpenSelection, RankApplicants
from shared.contracts.recruitment.commands import RegisterStudent, ScreenStudent
from shared.contracts.registry import InvalidPayloadError
from shared.contracts.schemas import (
    InvalidArgumentsError,
    invalid_arguments,
    load_in_one_pass,
    one_pass_fields,
)
from shared.events.envelope import Envelope

CAMPAIGN = str(uuid.uuid4())


def registration(**overrides: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "student_id": str(uuid.uuid4()),
        "campaign_id": CAMPAIGN,
        "name": "  张三 ",
        "phone": "13800138000",
        "id_number": "11010519491231002x",
        "university": "Zhengzhou University",
        "major": "Law",
        "grade": "2022",
        "hometown": "Zhongyuan",
        "channel": "self",
    }
    return arguments | overrides


def by_load(command: type[records.Command], arguments: object) -> object:
    """What ``parse`` answered before: the schema's ``load``, or its refusal."""
    schema = command.schema()
    try:
        values = schema.load(arguments)  # type: ignore[arg-type]
    except ValidationError as error:
        refused = invalid_arguments(schema, error)
        return type(refused), refused.details
    return command(**{name: records._immutable(value) for name, value in values.items()})


def by_parse(command: type[records.Command], arguments: object) -> object:
    try:
        return command.parse(arguments)
    except InvalidArgumentsError as refused:
        return type(refused), refused.details


VALID = [
    registration(),
    registration(student_id=""),
    {name: value for name, value in registration().items() if name != "student_id"},
    registration(student_id=str(uuid.uuid4()).upper()),
    registration(campaign_id="{" + CAMPAIGN + "}"),
]
INVALID = [
    registration(unknown="x"),
    registration(name=""),
    registration(name="a\u202eb"),
    registration(phone="12345"),
    registration(id_number="110105194912310021"),
    registration(id_number=110105194912310021),
    registration(channel="mail"),
    registration(campaign_id="not-a-uuid"),
    registration(campaign_id=None),
    {name: value for name, value in registration().items() if name != "campaign_id"},
    registration(name=7, unknown=1),
    [registration()],
    None,
    "text",
]


@pytest.mark.parametrize("arguments", VALID + INVALID)
def test_parse_answers_what_the_schemas_load_answers(arguments: object) -> None:
    assert by_parse(RegisterStudent, arguments) == by_load(RegisterStudent, arguments)


OTHERS: list[tuple[type[records.Command], dict[str, Any]]] = [
    (ScreenStudent, {"student_id": CAMPAIGN, "decision": "approved", "reason": "fits"}),
    (ScreenStudent, {"student_id": CAMPAIGN, "decision": "maybe", "reason": ""}),
    (RankApplicants, {"position_id": CAMPAIGN, "student_ids": [CAMPAIGN, CAMPAIGN.upper()]}),
    (RankApplicants, {"position_id": CAMPAIGN, "student_ids": ["x"], "unacceptable": "y"}),
    (
        OpenSelection,
        {
            "campaign_id": CAMPAIGN,
            "opens_at": "2026-07-01T08:00:00+08:00",
            "closes_at": "2026-07-02T00:00:00Z",
        },
    ),
    (
        OpenSelection,
        {"campaign_id": CAMPAIGN, "opens_at": "soon", "closes_at": 3, "max_choices": True},
    ),
    (DefineTitle, {"title_code": "ADV", "name": "先进个人", "quota": 10, "minimum_score": 80}),
    (DefineTitle, {"title_code": "ADV", "name": "先进个人", "quota": "10", "minimum_score": 101}),
]


@pytest.mark.parametrize(("command", "arguments"), OTHERS)
def test_lists_timestamps_numbers_and_choices_parse_as_their_schemas_load(
    command: type[records.Command], arguments: dict[str, Any]
) -> None:
    assert by_parse(command, arguments) == by_load(command, arguments)


def test_valid_arguments_take_the_one_pass_and_invalid_ones_the_schema() -> None:
    plan = one_pass_fields(RegisterStudent.schema())
    assert load_in_one_pass(plan, registration()) is not None
    assert load_in_one_pass(plan, registration(unknown="x")) is None
    assert load_in_one_pass(plan, registration(phone="1")) is None


def registered(**overrides: Any) -> Envelope:
    return Envelope(
        event_type="StudentRegistered",
        schema_version=CONTRACTS.latest_version("StudentRegistered"),
        stream_id="student-s",
        stream_version=1,
        producer="recruitment",
        actor="operator:1",
        correlation_id="c",
        payload=registration(**overrides),
    )


def by_schema(envelope: Envelope) -> object:
    schema = CONTRACTS.get(envelope.event_type, envelope.schema_version).schema
    try:
        return schema.load(envelope.payload)
    except ValidationError as error:
        return error.messages


def by_registry(envelope: Envelope) -> object:
    try:
        return CONTRACTS.load(envelope)
    except InvalidPayloadError as error:
        return error.errors


@pytest.mark.parametrize(
    "overrides",
    [{}, {"student_id": CAMPAIGN.upper()}, {"name": ""}, {"id_number": "1"}, {"x": 3}],
)
def test_an_event_payload_loads_as_its_schema_loads_it(overrides: dict[str, Any]) -> None:
    envelope = registered(**overrides)
    assert by_registry(envelope) == by_schema(envelope)


def test_arguments_read_back_into_the_same_command() -> None:
    command = RegisterStudent.parse(registration())
    assert RegisterStudent.parse(command.arguments()) == command
    assert command.arguments()["id_number"] == "11010519491231002X"
