"""The gateway's placement edge without a broker: request schemas, who may see what, the
error table and the routes' documentation."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest

from gateway.core.auth import check_host_unit_access, host_unit_subject, may_see_placement
from gateway.endpoints import wire
from gateway.core.errors import BY_DOMAIN_ERROR, ApiError, from_domain_error
from gateway.core.openapi import openapi_document
from gateway.core.request_body import load
from gateway.routes import ROUTES
from gateway.schemas import placement_requests as rq
from gateway.core.tokens import Principal

UNIT, OTHER_UNIT, STUDENT = (str(uuid.uuid4()) for _ in range(3))
SHA = "sha256:" + "0f" * 32


def refused_fields(schema: type[rq.StrictSchema], body: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(ApiError) as refused:
        load(schema, body)
    assert refused.value.code == "VALIDATION_FAILED"
    fields: dict[str, Any] = refused.value.details["fields"]
    return fields


def make_position(**overrides: Any) -> dict[str, Any]:
    body = {
        "campaign_id": str(uuid.uuid4()),
        "title": "Community affairs assistant",
        "duties": "elderly-care visits",
        "capacity": 3,
        "starts_on": "2024-07-08",
        "ends_on": "2024-08-16",
        "place": "Xiangyang Street office",
    }
    return body | overrides


def make_host_unit(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "District Water Resources Bureau",
        "kind": "district bureau",
        "township": "Chengguan Town",
        "contact_person": "赵磊",
        "contact_phone": "0371-66881234",
    }
    return body | overrides


def test_a_position_loads_with_dates_and_empty_requirements_by_default() -> None:
    position = load(rq.PostPositionRequest, make_position())
    assert (position["starts_on"], position["requirements"]) == (date(2024, 7, 8), "")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_on": "2024-07-01"}, "ends_on"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": "3"}, "capacity"),
        ({"starts_on": "8 July"}, "starts_on"),
        ({"salary": 100}, "salary"),
    ],
)
def test_a_position_that_contradicts_itself_is_refused(
    overrides: dict[str, Any], field: str
) -> None:
    assert field in refused_fields(rq.PostPositionRequest, make_position(**overrides))


def test_a_host_units_contact_phone_is_checked_without_echoing_it() -> None:
    fields = refused_fields(rq.RegisterHostUnitRequest, make_host_unit(contact_phone="call me"))
    assert "call me" not in repr(fields)
    assert load(rq.RegisterHostUnitRequest, make_host_unit())["contact_person"] == "赵磊"


def test_a_selection_window_must_close_after_it_opens_and_allows_five_choices_by_default() -> None:
    window = {"opens_at": "2024-06-01T00:00:00Z", "closes_at": "2024-06-10T00:00:00+08:00"}
    assert load(rq.OpenSelectionRequest, window)["max_choices"] == 5
    backwards = window | {"closes_at": "2024-06-01T00:00:00Z"}
    assert "closes_at" in refused_fields(rq.OpenSelectionRequest, backwards)
    assert "max_choices" in refused_fields(rq.OpenSelectionRequest, window | {"max_choices": 21})


def test_rankings_name_positions_and_students_by_uuid() -> None:
    chosen = [str(uuid.uuid4()) for _ in range(3)]
    assert load(rq.SubmitRankingRequest, {"position_ids": chosen})["position_ids"] == chosen
    assert "position_ids" in refused_fields(rq.SubmitRankingRequest, {"position_ids": ["p-1"]})
    applicants = load(rq.RankApplicantsRequest, {"student_ids": chosen[:1]})
    assert applicants["unacceptable"] == []


def test_a_signed_document_needs_a_known_kind_and_a_sha256_content_hash() -> None:
    document = {"document_kind": "practice_notice", "version": "2024.1", "content_hash": SHA}
    assert load(rq.SignDocumentRequest, document) == document
    assert "document_kind" in refused_fields(
        rq.SignDocumentRequest, document | {"document_kind": "diary"}
    )
    assert "content_hash" in refused_fields(
        rq.SignDocumentRequest, document | {"content_hash": "md5:abc"}
    )


def test_insurance_must_not_end_before_it_starts() -> None:
    policy = {
        "insurer": "PICC",
        "policy_number": "PA-1",
        "insured_person": "李明",
        "covers_from": "2024-07-01",
        "covers_until": "2024-06-30",
    }
    fields = refused_fields(rq.InsuranceRequest, policy)
    assert "covers_until" in fields
    assert "李明" not in repr(fields)


@pytest.mark.parametrize(
    ("schema", "body", "field"),
    [
        (rq.EvaluatePlacementRequest, {"score": 101}, "score"),
        (rq.EvaluatePlacementRequest, {"score": True}, "score"),
        (rq.FeedbackRequest, {"rating": 0}, "rating"),
        (rq.CompletePlacementRequest, {"days_served": -1, "hours_served": 8}, "days_served"),
    ],
)
def test_scores_ratings_and_days_stay_in_range(
    schema: type[rq.StrictSchema], body: dict[str, Any], field: str
) -> None:
    assert field in refused_fields(schema, body)


def test_a_comment_and_suggestions_may_be_left_out() -> None:
    assert load(rq.EvaluatePlacementRequest, {"score": 88})["comment"] == ""
    assert load(rq.FeedbackRequest, {"rating": 4})["suggestions"] == ""


def test_dates_and_timestamps_go_over_rpc_as_text() -> None:
    sent = wire({"on": date(2024, 7, 1), "at": datetime(2024, 7, 1, 8, tzinfo=UTC), "n": 3})
    assert sent == {"on": "2024-07-01", "at": "2024-07-01T08:00:00.000000Z", "n": 3}


def test_a_host_unit_acts_only_for_itself_and_others_get_404() -> None:
    unit = Principal(UNIT, "host_unit")
    assert host_unit_subject(unit) == UNIT
    check_host_unit_access(unit, UNIT)
    check_host_unit_access(Principal("op-1", "operator"), OTHER_UNIT)
    with pytest.raises(ApiError) as hidden:
        check_host_unit_access(unit, OTHER_UNIT)
    assert hidden.value.code == "NOT_FOUND"
    with pytest.raises(ApiError) as forbidden:
        check_host_unit_access(Principal(STUDENT, "student"), UNIT)
    assert forbidden.value.code == "FORBIDDEN"


def test_a_placement_is_seen_by_its_student_its_host_unit_and_operators_only() -> None:
    placement = {"student_id": STUDENT, "host_unit_id": UNIT}
    assert may_see_placement(Principal("op-1", "operator"), placement)
    assert may_see_placement(Principal(STUDENT, "student"), placement)
    assert may_see_placement(Principal(UNIT, "host_unit"), placement)
    assert not may_see_placement(Principal(str(uuid.uuid4()), "student"), placement)
    assert not may_see_placement(Principal(OTHER_UNIT, "host_unit"), placement)
    assert not may_see_placement(Principal("a-1", "auditor"), placement)


PLACEMENT_REFUSALS = [
    ("HostUnitNotFoundError", 404, "NOT_FOUND"),
    ("PositionNotFoundError", 404, "NOT_FOUND"),
    ("PlacementNotFoundError", 404, "NOT_FOUND"),
    ("MatchingRoundNotFoundError", 404, "NOT_FOUND"),
    ("CandidateNotEligibleError", 409, "CANDIDATE_NOT_ELIGIBLE"),
    ("SelectionClosedError", 409, "SELECTION_CLOSED"),
    ("PositionStateError", 409, "POSITION_STATE_CONFLICT"),
    ("OfferStateError", 409, "OFFER_STATE_CONFLICT"),
    ("MatchingRoundStateError", 409, "MATCHING_ROUND_STATE_CONFLICT"),
    ("SeatUnavailableError", 409, "SEAT_UNAVAILABLE"),
    ("PlacementNotReadyError", 409, "PLACEMENT_NOT_READY"),
    ("InvalidRankingError", 422, "INVALID_RANKING"),
    ("InsuranceCoverageError", 422, "INVALID_INSURANCE_COVERAGE"),
    ("InvalidPositionError", 422, "INVALID_POSITION"),
    ("InvalidAssessmentError", 422, "INVALID_ASSESSMENT"),
    ("InvalidSelectionWindowError", 422, "INVALID_SELECTION_WINDOW"),
]


@pytest.mark.parametrize(("error_type", "status", "code"), PLACEMENT_REFUSALS)
def test_placement_refusals_map_to_their_status_and_code(
    error_type: str, status: int, code: str
) -> None:
    assert error_type in BY_DOMAIN_ERROR
    error = from_domain_error(error_type, "refused", {"placement_id": "p"})
    assert (error.status, error.code) == (status, code)


def test_a_start_refused_for_missing_gates_lists_them() -> None:
    missing = {"missing": ["insurance", "training"]}
    error = from_domain_error("PlacementNotReadyError", "not ready", missing)
    assert error.body() == {
        "error": "PLACEMENT_NOT_READY",
        "message": "not ready",
        "details": missing,
    }


def test_every_placement_route_is_documented_with_its_roles_and_codes() -> None:
    document = openapi_document()
    placement_routes = [
        route for route in ROUTES if route.tag not in ("campaigns", "students", "operations")
    ]
    assert len(placement_routes) >= 28
    for route in placement_routes:
        operation = document["paths"][route.path][route.method.lower()]
        assert operation["operationId"] == route.name
        for code in route.error_codes:
            assert f"`{code}`" in str(operation["responses"]), (route.name, code)
    start = document["paths"]["/api/v1/placements/{placement_id}/start"]["post"]
    assert "PLACEMENT_NOT_READY" in str(start["responses"]["409"])
    assert start["description"] == "Roles: host_unit, operator."


def test_personal_fields_are_marked_in_the_openapi_document() -> None:
    schemas = openapi_document()["components"]["schemas"]
    for schema in ("RegisterHostUnitRequest", "HostUnitResponse"):
        for field in ("contact_person", "contact_phone"):
            assert schemas[schema]["properties"][field]["x-personal-data"] is True
    assert schemas["InsuranceRequest"]["properties"]["insured_person"]["x-personal-data"] is True
    assert "name" not in schemas["ApplicantResponse"]["properties"]
