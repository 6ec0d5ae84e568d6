"""Request validation at the edge: command contracts on bodies and paths, bodies, errors."""

from __future__ import annotations

import json
import uuid
from typing import Any

import eventlet
import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from gateway.core.errors import GATEWAY_ERRORS, ApiError, domain_errors, error_catalogue
from gateway.core.remote import call_remote
from gateway.core.request_body import MAX_BODY_BYTES, load, load_command, path_ids, read_json
from gateway.core.route import Route
from gateway.recruitment import routes
from gateway.recruitment.schemas import CampaignListQuery
from shared.contracts.recruitment.commands import RegisterStudent
from shared.domain import ErrorKind
from shared.kit.client import CommandSender
from shared.rpc import CommandRejected
from tests.factories import make_application, make_resident_id

VALID_ID = make_resident_id(7)
CAMPAIGN_ID = str(uuid.uuid4())
STUDENT_ID = str(uuid.uuid4())


def make_registration(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "李明",
        "phone": "13800138000",
        "id_number": VALID_ID,
        "university": "Zhengzhou University",
        "major": "Public Administration",
        "grade": "junior",
        "hometown": "Xiangyang Street",
        "channel": "organisation",
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


def make_campaign(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "Gravity Plan 2024 summer",
        "year": 2024,
        "season": "summer",
        "registration_opens_at": "2024-05-01T00:00:00Z",
        "registration_closes_at": "2024-06-30T00:00:00+08:00",
        "scope": "home-district university students",
        "practice_content": "host units and summer classrooms",
    }
    body.update(overrides)
    return body


def path_of(route: Route) -> dict[str, str]:
    ids = {"campaign_id": CAMPAIGN_ID, "student_id": STUDENT_ID}
    return {name: ids[name] for name in route.path_parameters}


def command_refusal(route: Route, body: Any) -> ApiError:
    with pytest.raises(ApiError) as refused:
        load_command(route, body, path_of(route))
    return refused.value


def make_request(body: bytes = b"", content_type: str = "application/json") -> Request:
    builder = EnvironBuilder(method="POST", data=body, content_type=content_type)
    return Request(builder.get_environ())


# -- command bodies ------------------------------------------------------------------------


def test_a_valid_registration_loads_with_the_path_and_a_canonical_id_number() -> None:
    body = make_registration(id_number=VALID_ID.lower())
    command = load_command(routes.REGISTER_STUDENT, body, path_of(routes.REGISTER_STUDENT))
    assert isinstance(command, RegisterStudent)
    assert (command.id_number, command.campaign_id) == (VALID_ID, CAMPAIGN_ID)
    assert (command.channel, command.student_id) == ("organisation", "")


def test_an_invalid_id_number_answers_its_own_code_without_echoing_it() -> None:
    wrong = VALID_ID[:17] + ("0" if VALID_ID[17] != "0" else "1")
    error = command_refusal(routes.REGISTER_STUDENT, make_registration(id_number=wrong))
    assert (error.status, error.code) == (422, "INVALID_ID_NUMBER")
    assert set(error.details["fields"]) == {"id_number"}
    assert wrong not in json.dumps(error.body())
    assert wrong[:17] not in json.dumps(error.body())


def test_an_id_number_born_in_1850_is_refused_at_the_edge() -> None:
    first = "11010518500101123"
    error = command_refusal(routes.REGISTER_STUDENT, make_registration(id_number=first + "0"))
    assert error.code == "INVALID_ID_NUMBER"


def test_an_invalid_id_number_among_other_errors_is_a_validation_failure() -> None:
    error = command_refusal(routes.REGISTER_STUDENT, make_registration(id_number="1", phone="12"))
    assert error.code == "VALIDATION_FAILED"
    assert set(error.details["fields"]) == {"id_number", "phone"}


def test_unknown_fields_are_refused_by_name() -> None:
    error = command_refusal(routes.REGISTER_STUDENT, make_registration(nickname="Ming"))
    assert (error.status, error.code) == (422, "VALIDATION_FAILED")
    assert error.details["fields"] == {"nickname": ["Unknown field."]}


def test_a_field_the_path_supplies_is_unknown_in_the_body() -> None:
    body = make_registration(campaign_id=str(uuid.uuid4()))
    error = command_refusal(routes.REGISTER_STUDENT, body)
    assert error.details["fields"] == {"campaign_id": ["Unknown field."]}


def test_unknown_and_invalid_fields_are_named_together() -> None:
    error = command_refusal(routes.REGISTER_STUDENT, make_registration(nickname="M", phone="1"))
    assert error.code == "VALIDATION_FAILED"
    assert set(error.details["fields"]) == {"nickname", "phone"}


@pytest.mark.parametrize(
    ("field", "value"),
    [("year", "2024"), ("year", True), ("year", 2024.5), ("name", 42), ("scope", ["a"])],
)
def test_wrong_json_types_are_refused(field: str, value: object) -> None:
    error = command_refusal(routes.CREATE_CAMPAIGN, make_campaign(**{field: value}))
    assert error.code == "VALIDATION_FAILED"
    assert field in error.details["fields"]


def test_missing_and_blank_fields_are_refused() -> None:
    body = make_registration(name="   ", university=None)
    error = command_refusal(routes.REGISTER_STUDENT, body)
    assert set(error.details["fields"]) == {"name", "university"}


def test_a_phone_that_is_not_a_mainland_mobile_is_refused_without_echo() -> None:
    error = command_refusal(routes.REGISTER_STUDENT, make_registration(phone="555-0100"))
    assert "555-0100" not in json.dumps(error.body())


def test_a_channel_outside_organisation_and_self_is_refused() -> None:
    error = command_refusal(routes.REGISTER_STUDENT, make_registration(channel="x"))
    assert "channel" in error.details["fields"]


def test_campaign_timestamps_need_a_time_zone() -> None:
    body = make_campaign(registration_opens_at="2024-05-01T00:00")
    error = command_refusal(routes.CREATE_CAMPAIGN, body)
    assert "registration_opens_at" in error.details["fields"]


def test_a_json_array_is_not_a_request_body() -> None:
    assert command_refusal(routes.SCREEN_STUDENT, [1, 2]).code == "VALIDATION_FAILED"


def test_screening_takes_only_approved_or_rejected() -> None:
    route = routes.SCREEN_STUDENT
    assert load_command(route, {"decision": "approved", "reason": "fits"}, path_of(route))
    body = {"decision": "maybe", "reason": "x"}
    assert command_refusal(route, body).details["fields"] == {
        "decision": ["Must be one of: approved, rejected."]
    }


def test_an_empty_body_is_fine_where_nothing_is_needed_but_fields_are_not() -> None:
    route = routes.OPEN_CAMPAIGN
    assert load_command(route, None, path_of(route)).arguments() == {"campaign_id": CAMPAIGN_ID}
    assert command_refusal(route, {"force": True}).code == "VALIDATION_FAILED"


def test_list_queries_have_defaults_and_bounds() -> None:
    assert load(CampaignListQuery, {}) == {"limit": 50, "offset": 0}
    with pytest.raises(ApiError) as refused:
        load(CampaignListQuery, {"limit": "1000"})
    assert refused.value.code == "VALIDATION_FAILED"
    with pytest.raises(ApiError) as refused:
        load(CampaignListQuery, {"sort": "name"})
    assert refused.value.code == "VALIDATION_FAILED"


@pytest.mark.parametrize("offset", ["9223372036854775808", "-1", "1000001"])
def test_an_offset_beyond_its_bound_is_refused_before_any_query(offset: str) -> None:
    with pytest.raises(ApiError) as refused:
        load(CampaignListQuery, {"offset": offset})
    assert refused.value.code == "VALIDATION_FAILED"


def test_every_integer_in_a_query_string_is_bounded_both_ways() -> None:
    from marshmallow import fields as mm_fields
    from marshmallow import validate

    from gateway.sections import ROUTES

    unbounded = [
        f"{route.name}.{name}"
        for route in ROUTES
        if route.query is not None
        for name, field in route.query().fields.items()
        if isinstance(field, mm_fields.Integer)
        and not any(
            isinstance(rule, validate.Range) and rule.min is not None and rule.max is not None
            for rule in field.validators
        )
    ]
    assert unbounded == []


def test_path_ids_must_be_uuids_or_they_name_nothing() -> None:
    upper = "B7F6C1DE-5A39-4C1E-9A64-1F2D3C4B5A69"
    assert path_ids({"student_id": upper}) == {"student_id": upper.lower()}
    with pytest.raises(ApiError) as refused:
        path_ids({"student_id": "42"})
    assert refused.value.code == "NOT_FOUND"


# -- bodies --------------------------------------------------------------------------------


def test_a_json_body_is_parsed() -> None:
    assert read_json(make_request(b'{"reason": "\xe5\xae\xb6"}')) == {"reason": "家"}


def test_an_empty_body_reads_as_nothing() -> None:
    assert read_json(make_request(b"", content_type="text/plain")) is None


def test_a_json_null_body_is_not_an_empty_body_and_answers_422() -> None:
    with pytest.raises(ApiError) as refused:
        read_json(make_request(b"null"))
    assert (refused.value.status, refused.value.code) == (422, "VALIDATION_FAILED")


@pytest.mark.parametrize("body", [b'{"reason": ', b"{'a': 1}", b'{"a": NaN}', b"\xff\xfe{}"])
def test_malformed_json_answers_400(body: bytes) -> None:
    with pytest.raises(ApiError) as refused:
        read_json(make_request(body))
    assert (refused.value.status, refused.value.code) == (400, "MALFORMED_JSON")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_body_that_is_not_json_answers_415(content_type: str) -> None:
    with pytest.raises(ApiError) as refused:
        read_json(make_request(b'{"a": 1}', content_type=content_type))
    assert (refused.value.status, refused.value.code) == (415, "UNSUPPORTED_MEDIA_TYPE")


def test_an_oversize_body_answers_413() -> None:
    body = json.dumps({"reason": "x" * MAX_BODY_BYTES}).encode()
    with pytest.raises(ApiError) as refused:
        read_json(make_request(body))
    assert (refused.value.status, refused.value.code) == (413, "PAYLOAD_TOO_LARGE")


@pytest.mark.parametrize(
    "body",
    [
        b'{"year": 1999, "year": 2026}',
        b'{"a": {"b": 1, "b": 1}}',
        b'[{"x": 1}, {"x": 2, "x": 3}]',
    ],
)
def test_a_key_named_twice_anywhere_in_the_body_answers_400(body: bytes) -> None:
    with pytest.raises(ApiError) as refused:
        read_json(make_request(body))
    assert (refused.value.status, refused.value.code) == (400, "MALFORMED_JSON")
    assert "twice" in refused.value.message


def test_the_same_key_in_two_objects_is_fine() -> None:
    assert read_json(make_request(b'[{"x": 1}, {"x": 2}]')) == [{"x": 1}, {"x": 2}]


def chunked_request(body: bytes) -> Request:
    environ = EnvironBuilder(
        method="POST", data=body, content_type="application/json"
    ).get_environ()
    del environ["CONTENT_LENGTH"]
    environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    return Request(environ)


def test_a_chunked_body_is_read() -> None:
    assert read_json(chunked_request(b'{"reason": "moving"}')) == {"reason": "moving"}


def test_an_oversize_chunked_body_answers_413_too() -> None:
    with pytest.raises(ApiError) as refused:
        read_json(chunked_request(b"x" * (MAX_BODY_BYTES + 10)))
    assert refused.value.code == "PAYLOAD_TOO_LARGE"


# -- the error catalogue -------------------------------------------------------------------


def test_every_domain_error_is_declared_in_the_contracts_with_a_status() -> None:
    import services.placement.service
    import services.recruitment.service  # noqa: F401 - every service's errors are imported
    from shared.domain import known_errors

    declared = domain_errors()
    assert {error.__module__.split(".")[0] for error in known_errors()} == {"shared"}
    assert {error.code for error in declared} <= set(error_catalogue())
    for error in declared:
        assert isinstance(error.kind, ErrorKind)
        assert error_catalogue()[error.code].status in (403, 404, 409, 422)


def test_the_catalogue_keeps_the_gateway_rows_and_one_row_per_code() -> None:
    catalogue = error_catalogue()
    assert {row.code for row in GATEWAY_ERRORS} <= set(catalogue)
    assert catalogue["CONCURRENT_UPDATE"].status == 409
    assert "ConcurrencyConflictError" in catalogue["CONCURRENT_UPDATE"].domain_errors


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("REGISTRATION_CLOSED", 409),
        ("DUPLICATE_REGISTRATION", 409),
        ("INVALID_ID_NUMBER", 422),
        ("NOT_FOUND", 404),
        ("INVALID_CAMPAIGN", 422),
        ("CONCURRENT_UPDATE", 409),
        ("VALIDATION_FAILED", 422),
    ],
)
def test_service_refusals_map_to_their_status(code: str, status: int) -> None:
    error = ApiError.refusal(code, "refused", {"field": "x"})
    assert (error.status, error.code, error.details) == (status, code, {"field": "x"})


def test_an_unknown_remote_refusal_is_an_internal_error() -> None:
    assert ApiError.refusal("SOMETHING_NEW", "?", {}).status == 500


def test_an_error_outside_the_catalogue_cannot_be_raised() -> None:
    with pytest.raises(ValueError, match="catalogue"):
        ApiError("TEAPOT", "short and stout")


def sender(reply: Any) -> CommandSender:
    def call(*_arguments: object) -> object:
        return reply()

    return CommandSender(call)


def test_a_remote_refusal_is_answered_with_its_code() -> None:
    def refuse() -> object:
        raise CommandRejected("REGISTRATION_CLOSED", "conflict", "registration is closed", {"x": 1})

    with pytest.raises(ApiError) as refused:
        call_remote(sender(refuse), make_application(), {}, timeout=1.0)
    assert refused.value.body() == {
        "error": "REGISTRATION_CLOSED",
        "message": "registration is closed",
        "details": {"x": 1},
    }


def test_a_command_that_does_not_answer_in_time_is_a_503() -> None:
    def linger() -> object:
        eventlet.sleep(5)
        return {}

    with pytest.raises(ApiError) as refused:
        call_remote(sender(linger), make_application(), {}, timeout=0.05)
    assert (refused.value.status, refused.value.code) == (503, "SERVICE_UNAVAILABLE")


def test_a_reply_that_is_not_an_object_is_an_internal_error() -> None:
    with pytest.raises(ApiError) as refused:
        call_remote(sender(lambda: ["odd"]), make_application(), {}, timeout=1.0)
    assert refused.value.code == "INTERNAL"


def test_a_refusal_keeps_its_detail_types_through_nameko_serialisation() -> None:
    from nameko.exceptions import deserialize, serialize

    from shared.rpc import CommandRejected

    sent = CommandRejected(
        "ACTIVITY_FULL", "conflict", "full", {"capacity": 2, "open": False, "ids": ["a"]}
    )
    wire = json.loads(json.dumps(serialize(sent)))
    received = deserialize(wire)
    assert isinstance(received, CommandRejected)
    assert (received.code, received.kind, received.message) == ("ACTIVITY_FULL", "conflict", "full")
    assert received.details == {"capacity": 2, "open": False, "ids": ["a"]}
