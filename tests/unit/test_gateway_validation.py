"""Request validation at the edge: schemas, the resident ID checksum, bodies, the error table."""

from __future__ import annotations

import inspect
import json
from datetime import date
from typing import Any

import eventlet
import pytest
from marshmallow import Schema
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from gateway.core.errors import BY_CODE, BY_DOMAIN_ERROR, ERROR_TABLE, ApiError, from_domain_error
from gateway.core.remote import call_remote
from gateway.core.request_body import MAX_BODY_BYTES, load, path_ids, read_json
from gateway.resident_id import InvalidIdNumberError, check_character, validate_id_number
from gateway.schemas.requests import (
    CampaignListQuery,
    CreateCampaignRequest,
    EmptyRequest,
    RegisterStudentRequest,
    ScreenStudentRequest,
)
from services.recruitment.domain import errors as domain_errors
from shared.domain import DomainError
from shared.rpc import CommandRejected
from tests.factories import make_resident_id

VALID_ID = make_resident_id(7)


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


def refusal(schema: type[Schema], data: Any) -> ApiError:
    with pytest.raises(ApiError) as refused:
        load(schema, data)
    return refused.value


def make_request(body: bytes = b"", content_type: str = "application/json") -> Request:
    builder = EnvironBuilder(method="POST", data=body, content_type=content_type)
    return Request(builder.get_environ())


# -- the resident ID number ----------------------------------------------------------------


def test_accepts_a_valid_id_number_and_upper_cases_its_x() -> None:
    first = "11010519491231002"
    assert check_character(first) == "X"
    assert validate_id_number(f" {first}x ") == f"{first}X"


def test_accepts_the_factory_id_numbers() -> None:
    assert validate_id_number(VALID_ID) == VALID_ID


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("41010220030515123", "17 digits"),
        ("4101022003051512345", "17 digits"),
        ("01010220030515123X", "17 digits"),
        ("4101022003051A1234", "17 digits"),
        ("410102200302301234", "birth date does not exist"),
        ("410102180001011234", "not plausible"),
        ("410102299901011234", "not plausible"),
    ],
)
def test_refuses_a_malformed_id_number_or_an_impossible_birth_date(raw: str, reason: str) -> None:
    with pytest.raises(InvalidIdNumberError, match=reason):
        validate_id_number(raw)


def test_refuses_a_wrong_check_digit() -> None:
    wrong = VALID_ID[:17] + ("0" if VALID_ID[17] != "0" else "1")
    with pytest.raises(InvalidIdNumberError, match="check digit"):
        validate_id_number(wrong)


def test_refuses_a_birth_date_after_today() -> None:
    first = "41010220300101123"
    with pytest.raises(InvalidIdNumberError, match="not plausible"):
        validate_id_number(first + check_character(first), today=date(2029, 12, 31))


# -- schemas -------------------------------------------------------------------------------


def test_a_valid_registration_loads_with_a_canonical_id_number() -> None:
    loaded = load(RegisterStudentRequest, make_registration(id_number=VALID_ID.lower()))
    assert loaded["id_number"] == VALID_ID
    assert loaded["channel"] == "organisation"


def test_an_invalid_id_number_answers_its_own_code_without_echoing_it() -> None:
    wrong = VALID_ID[:17] + ("0" if VALID_ID[17] != "0" else "1")
    error = refusal(RegisterStudentRequest, make_registration(id_number=wrong))
    assert (error.status, error.code) == (422, "INVALID_ID_NUMBER")
    assert set(error.details["fields"]) == {"id_number"}
    assert wrong not in json.dumps(error.body())
    assert wrong[:17] not in json.dumps(error.body())


def test_an_invalid_id_number_among_other_errors_is_a_validation_failure() -> None:
    error = refusal(RegisterStudentRequest, make_registration(id_number="1", phone="12"))
    assert error.code == "VALIDATION_FAILED"
    assert set(error.details["fields"]) == {"id_number", "phone"}


def test_unknown_fields_are_refused_by_name() -> None:
    error = refusal(RegisterStudentRequest, make_registration(nickname="Ming"))
    assert (error.status, error.code) == (422, "VALIDATION_FAILED")
    assert error.details["fields"] == {"nickname": ["Unknown field."]}


@pytest.mark.parametrize(
    ("field", "value"),
    [("year", "2024"), ("year", True), ("year", 2024.5), ("name", 42), ("scope", ["a"])],
)
def test_wrong_json_types_are_refused(field: str, value: object) -> None:
    error = refusal(CreateCampaignRequest, make_campaign(**{field: value}))
    assert error.code == "VALIDATION_FAILED"
    assert field in error.details["fields"]


def test_missing_and_blank_fields_are_refused() -> None:
    error = refusal(RegisterStudentRequest, make_registration(name="   ", university=None))
    assert set(error.details["fields"]) == {"name", "university"}


def test_a_phone_that_is_not_a_mainland_mobile_is_refused_without_echo() -> None:
    error = refusal(RegisterStudentRequest, make_registration(phone="555-0100"))
    assert "555-0100" not in json.dumps(error.body())


def test_a_channel_outside_organisation_and_self_is_refused() -> None:
    error = refusal(RegisterStudentRequest, make_registration(channel="x"))
    assert "channel" in error.details["fields"]


def test_a_campaign_window_must_close_after_it_opens() -> None:
    error = refusal(
        CreateCampaignRequest, make_campaign(registration_closes_at="2024-04-01T00:00:00Z")
    )
    assert set(error.details["fields"]) == {"registration_closes_at"}


def test_campaign_timestamps_need_a_time_zone() -> None:
    error = refusal(CreateCampaignRequest, make_campaign(registration_opens_at="2024-05-01T00:00"))
    assert "registration_opens_at" in error.details["fields"]


def test_a_json_array_is_not_a_request_body() -> None:
    assert refusal(ScreenStudentRequest, [1, 2]).code == "VALIDATION_FAILED"


def test_screening_takes_only_approved_or_rejected() -> None:
    assert load(ScreenStudentRequest, {"decision": "approved", "reason": "fits"})
    assert refusal(ScreenStudentRequest, {"decision": "maybe", "reason": "x"}).details["fields"]


def test_an_empty_body_is_fine_where_nothing_is_needed_but_fields_are_not() -> None:
    assert load(EmptyRequest, None) == {}
    assert refusal(EmptyRequest, {"force": True}).code == "VALIDATION_FAILED"


def test_list_queries_have_defaults_and_bounds() -> None:
    assert load(CampaignListQuery, {}) == {"limit": 50, "offset": 0}
    assert refusal(CampaignListQuery, {"limit": "1000"}).code == "VALIDATION_FAILED"
    assert refusal(CampaignListQuery, {"sort": "name"}).code == "VALIDATION_FAILED"


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


# -- the error table -----------------------------------------------------------------------


def test_every_recruitment_domain_error_has_a_row_in_the_error_table() -> None:
    names = {
        name
        for name, member in inspect.getmembers(domain_errors, inspect.isclass)
        if issubclass(member, DomainError) and member.__module__ == domain_errors.__name__
    }
    assert names <= set(BY_DOMAIN_ERROR)
    assert "ConcurrencyConflictError" in BY_DOMAIN_ERROR


def test_the_error_table_has_one_row_per_code() -> None:
    assert len(BY_CODE) == len(ERROR_TABLE)


@pytest.mark.parametrize(
    ("error_type", "status", "code"),
    [
        ("RegistrationClosedError", 409, "REGISTRATION_CLOSED"),
        ("DuplicateRegistrationError", 409, "DUPLICATE_REGISTRATION"),
        ("InvalidResidentIdError", 422, "INVALID_ID_NUMBER"),
        ("CampaignNotFoundError", 404, "NOT_FOUND"),
        ("StudentNotFoundError", 404, "NOT_FOUND"),
        ("InvalidCampaignError", 422, "INVALID_CAMPAIGN"),
        ("ConcurrencyConflictError", 409, "CONCURRENT_UPDATE"),
    ],
)
def test_domain_refusals_map_to_their_status_and_code(
    error_type: str, status: int, code: str
) -> None:
    error = from_domain_error(error_type, "refused", {"field": "x"})
    assert (error.status, error.code, error.details) == (status, code, {"field": "x"})


def test_an_unknown_remote_refusal_is_an_internal_error() -> None:
    assert from_domain_error("SomethingNewError", "?", {}).status == 500


def test_an_error_outside_the_table_cannot_be_raised() -> None:
    with pytest.raises(ValueError, match="table"):
        ApiError("TEAPOT", "short and stout")


def test_a_remote_refusal_is_answered_from_the_table() -> None:
    def refuse(_context: dict[str, str]) -> dict[str, str]:
        raise CommandRejected("RegistrationClosedError", "registration is closed", {"x": 1})

    with pytest.raises(ApiError) as refused:
        call_remote(refuse, {}, timeout=1.0)
    assert refused.value.body() == {
        "error": "REGISTRATION_CLOSED",
        "message": "registration is closed",
        "details": {"x": 1},
    }


def test_a_command_that_does_not_answer_in_time_is_a_503() -> None:
    def linger(_context: dict[str, str]) -> dict[str, str]:
        eventlet.sleep(5)
        return {}

    with pytest.raises(ApiError) as refused:
        call_remote(linger, {}, timeout=0.05)
    assert (refused.value.status, refused.value.code) == (503, "SERVICE_UNAVAILABLE")
