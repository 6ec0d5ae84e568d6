"""The gateway's placement edge without a broker: request bodies (the command contracts),
who may see what, the refusals' codes, a host unit registering itself, and the routes'
documentation."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from gateway.core.auth import check_owner, host_unit_subject, may_see_placement
from gateway.core.call import ApiCall, send_command
from gateway.core.errors import ApiError, error_catalogue
from gateway.core.openapi import openapi_document
from gateway.core.request_body import load, load_command
from gateway.core.route import Route
from gateway.core.tokens import Principal
from gateway.placement import routes
from gateway.placement import selection_routes as srs
from gateway.placement.list_schemas import PositionListQuery
from gateway.sections import ROUTES
from shared.contracts.placement import commands, errors
from shared.kit.client import CommandSender

UNIT, OTHER_UNIT, STUDENT = (str(uuid.uuid4()) for _ in range(3))
SHA = "sha256:" + "0f" * 32
IDS = {
    "host_unit_id": UNIT,
    "position_id": str(uuid.uuid4()),
    "placement_id": str(uuid.uuid4()),
    "campaign_id": str(uuid.uuid4()),
    "student_id": STUDENT,
    "round_id": str(uuid.uuid4()),
}


def loaded(route: Route, body: Any) -> Any:
    return load_command(route, body, {name: IDS[name] for name in route.path_parameters})


def refused_fields(route: Route, body: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(ApiError) as refused:
        loaded(route, body)
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


def test_a_position_loads_with_dates_its_host_unit_from_the_path_and_empty_requirements():
    posting = loaded(srs.POST_POSITION, make_position())
    assert isinstance(posting, commands.PostPosition)
    assert (posting.starts_on, posting.requirements, posting.host_unit_id) == (
        date(2024, 7, 8),
        "",
        UNIT,
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"capacity": 0}, "capacity"),
        ({"capacity": "3"}, "capacity"),
        ({"starts_on": "8 July"}, "starts_on"),
        ({"salary": 100}, "salary"),
        ({"host_unit_id": OTHER_UNIT}, "host_unit_id"),
    ],
)
def test_a_position_with_a_bad_field_is_refused(overrides: dict[str, Any], field: str) -> None:
    assert field in refused_fields(srs.POST_POSITION, make_position(**overrides))


def test_a_period_that_ends_before_it_starts_is_left_to_the_domain_to_refuse() -> None:
    backwards = loaded(srs.POST_POSITION, make_position(ends_on="2024-07-01"))
    assert backwards.ends_on < backwards.starts_on
    window = {"opens_at": "2024-06-10T00:00:00Z", "closes_at": "2024-06-01T00:00:00Z"}
    assert (
        loaded(srs.OPEN_SELECTION, window).closes_at < loaded(srs.OPEN_SELECTION, window).opens_at
    )
    policy = {
        "insurer": "PICC",
        "policy_number": "PA-1",
        "insured_person": "李明",
        "covers_from": "2024-07-01",
        "covers_until": "2024-06-30",
    }
    assert loaded(routes.RECORD_INSURANCE, policy).covers_until == date(2024, 6, 30)
    refusals = {error.code for error in routes.RECORD_INSURANCE.command.refusals}  # type: ignore[union-attr]
    assert "INVALID_INSURANCE_COVERAGE" in refusals


def test_a_host_units_contact_phone_is_checked_without_echoing_it() -> None:
    fields = refused_fields(srs.REGISTER_HOST_UNIT, make_host_unit(contact_phone="call me"))
    assert "call me" not in repr(fields)
    assert loaded(srs.REGISTER_HOST_UNIT, make_host_unit()).contact_person == "赵磊"


def test_a_selection_window_allows_five_choices_by_default_and_at_most_twenty() -> None:
    window = {"opens_at": "2024-06-01T00:00:00Z", "closes_at": "2024-06-10T00:00:00+08:00"}
    assert loaded(srs.OPEN_SELECTION, window).max_choices == 5
    assert "max_choices" in refused_fields(srs.OPEN_SELECTION, window | {"max_choices": 21})


def test_rankings_name_positions_and_students_by_uuid() -> None:
    chosen = [str(uuid.uuid4()) for _ in range(3)]
    assert loaded(srs.SUBMIT_RANKING, {"position_ids": chosen}).position_ids == tuple(chosen)
    assert "position_ids" in refused_fields(srs.SUBMIT_RANKING, {"position_ids": ["p-1"]})
    assert loaded(srs.RANK_APPLICANTS, {"student_ids": chosen[:1]}).unacceptable == ()


def test_a_signed_document_needs_a_known_kind_and_a_sha256_content_hash() -> None:
    document = {"document_kind": "practice_notice", "version": "2024.1", "content_hash": SHA}
    assert loaded(routes.SIGN_DOCUMENT, document).arguments() == document | {
        "placement_id": IDS["placement_id"]
    }
    diary = document | {"document_kind": "diary"}
    assert "document_kind" in refused_fields(routes.SIGN_DOCUMENT, diary)
    md5 = document | {"content_hash": "md5:abc"}
    assert "content_hash" in refused_fields(routes.SIGN_DOCUMENT, md5)


def test_the_insured_person_is_never_echoed_in_a_refusal() -> None:
    policy = {
        "insurer": "PICC",
        "policy_number": "PA-1",
        "insured_person": "李明",
        "covers_from": "2024-07-01",
        "covers_until": "someday",
    }
    fields = refused_fields(routes.RECORD_INSURANCE, policy)
    assert list(fields) == ["covers_until"]
    assert "李明" not in repr(fields)


@pytest.mark.parametrize(
    ("route", "body", "field"),
    [
        (routes.EVALUATE_PLACEMENT, {"score": 101}, "score"),
        (routes.EVALUATE_PLACEMENT, {"score": True}, "score"),
        (routes.SUBMIT_FEEDBACK, {"rating": 0}, "rating"),
        (routes.COMPLETE_PLACEMENT, {"days_served": -1, "hours_served": 8}, "days_served"),
    ],
)
def test_scores_ratings_and_days_stay_in_range(
    route: Route, body: dict[str, Any], field: str
) -> None:
    assert field in refused_fields(route, body)


def test_a_comment_and_suggestions_may_be_left_out() -> None:
    assert loaded(routes.EVALUATE_PLACEMENT, {"score": 88}).comment == ""
    assert loaded(routes.SUBMIT_FEEDBACK, {"rating": 4}).suggestions == ""


def test_empty_bodies_are_enough_for_confirming_proposing_and_publishing() -> None:
    for route in (routes.CONFIRM_OFFER, srs.PROPOSE_MATCHING, srs.PUBLISH_MATCHING):
        assert isinstance(loaded(route, None), route.command)  # type: ignore[arg-type]


def test_positions_are_listed_open_unless_asked_otherwise() -> None:
    assert load(PositionListQuery, {}) == {"status": "open", "limit": 50, "sort": "posted_at"}
    with pytest.raises(ApiError):
        load(PositionListQuery, {"status": "gone"})


def test_a_host_unit_acts_only_for_itself_and_others_get_404() -> None:
    unit = Principal(UNIT, "host_unit")
    assert host_unit_subject(unit) == UNIT
    check_owner(unit, "host_unit_id", UNIT)
    check_owner(Principal("op-1", "operator"), "host_unit_id", OTHER_UNIT)
    with pytest.raises(ApiError) as hidden:
        check_owner(unit, "host_unit_id", OTHER_UNIT)
    assert hidden.value.code == "NOT_FOUND"
    with pytest.raises(ApiError) as forbidden:
        check_owner(Principal(STUDENT, "student"), "host_unit_id", UNIT)
    assert forbidden.value.code == "FORBIDDEN"


def test_a_placement_is_seen_by_its_student_its_host_unit_and_operators_only() -> None:
    placement = {"student_id": STUDENT, "host_unit_id": UNIT}
    assert may_see_placement(Principal("op-1", "operator"), placement)
    assert may_see_placement(Principal(STUDENT, "student"), placement)
    assert may_see_placement(Principal(UNIT, "host_unit"), placement)
    assert not may_see_placement(Principal(str(uuid.uuid4()), "student"), placement)
    assert not may_see_placement(Principal(OTHER_UNIT, "host_unit"), placement)
    assert not may_see_placement(Principal("a-1", "auditor"), placement)


def register(principal: Principal, body: dict[str, Any]) -> tuple[Any, list[dict[str, Any]]]:
    """Send a registration as ``principal``, to a stand-in placement service that answers
    like the real one; returns the reply and the arguments the service received."""
    received: list[dict[str, Any]] = []

    def placement_service(_service: str, _method: str, _context: Any, arguments: Any) -> Any:
        received.append(arguments)
        return {name: arguments[name] for name in ("host_unit_id", "name", "kind", "township")}

    command = loaded(srs.REGISTER_HOST_UNIT, body)
    sender = CommandSender(placement_service)
    call = ApiCall(srs.REGISTER_HOST_UNIT, principal, {}, {}, command, "c", 5, sender)
    return send_command(call), received


def test_a_host_unit_registers_itself_under_its_own_id_and_hears_no_contact_data_back() -> None:
    reply, received = register(Principal(UNIT, "host_unit"), make_host_unit())
    assert reply.status == 201
    assert reply.body["host_unit_id"] == received[0]["host_unit_id"] == UNIT
    assert received[0]["contact_phone"] == "0371-66881234"
    assert "contact_person" not in reply.body
    assert "contact_phone" not in reply.body


def test_a_host_unit_may_not_register_another_unit_and_an_operator_gets_a_new_id() -> None:
    with pytest.raises(ApiError) as refused:
        register(Principal(UNIT, "host_unit"), make_host_unit(host_unit_id=OTHER_UNIT))
    assert refused.value.code == "FORBIDDEN"
    with pytest.raises(ApiError) as unnamed:
        register(Principal("unit-a", "host_unit"), make_host_unit())
    assert unnamed.value.code == "FORBIDDEN"
    reply, _received = register(Principal("op-1", "operator"), make_host_unit())
    assert uuid.UUID(reply.body["host_unit_id"])


PLACEMENT_REFUSALS = [
    (errors.HostUnitNotFoundError, 404, "NOT_FOUND"),
    (errors.PositionNotFoundError, 404, "NOT_FOUND"),
    (errors.PlacementNotFoundError, 404, "NOT_FOUND"),
    (errors.MatchingRoundNotFoundError, 404, "NOT_FOUND"),
    (errors.CandidateNotEligibleError, 409, "CANDIDATE_NOT_ELIGIBLE"),
    (errors.SelectionClosedError, 409, "SELECTION_CLOSED"),
    (errors.PositionStateError, 409, "POSITION_STATE_CONFLICT"),
    (errors.OfferStateError, 409, "OFFER_STATE_CONFLICT"),
    (errors.MatchingRoundStateError, 409, "MATCHING_ROUND_STATE_CONFLICT"),
    (errors.SeatUnavailableError, 409, "SEAT_UNAVAILABLE"),
    (errors.PlacementNotReadyError, 409, "PLACEMENT_NOT_READY"),
    (errors.InvalidRankingError, 422, "INVALID_RANKING"),
    (errors.InvalidPreferencesError, 422, "INVALID_RANKING"),
    (errors.InsuranceCoverageError, 422, "INVALID_INSURANCE_COVERAGE"),
    (errors.InvalidPositionError, 422, "INVALID_POSITION"),
    (errors.InvalidAssessmentError, 422, "INVALID_ASSESSMENT"),
    (errors.InvalidSelectionWindowError, 422, "INVALID_SELECTION_WINDOW"),
]


@pytest.mark.parametrize(("error", "status", "code"), PLACEMENT_REFUSALS)
def test_placement_refusals_map_to_their_status_and_code(
    error: type[errors.DomainError], status: int, code: str
) -> None:
    answered = ApiError.from_domain_error(error("refused", {"placement_id": "p"}))
    assert (answered.status, answered.code) == (status, code)
    assert error.__name__ in error_catalogue()[code].domain_errors


def test_a_start_refused_for_missing_gates_lists_them() -> None:
    missing = {"missing": ["insurance", "training"]}
    answered = ApiError.from_domain_error(errors.PlacementNotReadyError("not ready", missing))
    assert answered.body() == {
        "error": "PLACEMENT_NOT_READY",
        "message": "not ready",
        "details": missing,
    }


def test_every_placement_route_is_documented_with_its_roles_and_codes() -> None:
    document = openapi_document(ROUTES)
    assert len(routes.ROUTES) == 33  # 28, publishing and listing document versions, 3 lists
    for route in routes.ROUTES:
        operation = document["paths"][route.path][route.method.lower()]
        assert operation["operationId"] == route.name
        for code in route.error_codes:
            assert f"`{code}`" in str(operation["responses"]), (route.name, code)
    start = document["paths"]["/api/v1/placements/{placement_id}/start"]["post"]
    assert "PLACEMENT_NOT_READY" in str(start["responses"]["409"])
    assert start["description"] == "Roles: host_unit, operator."


def test_personal_fields_are_marked_in_the_openapi_document() -> None:
    schemas = openapi_document(ROUTES)["components"]["schemas"]
    for schema in ("RegisterHostUnitRequest", "HostUnitResponse"):
        for field in ("contact_person", "contact_phone"):
            assert schemas[schema]["properties"][field]["x-personal-data"] is True
    insurance = schemas["RecordInsuranceRequest"]["properties"]["insured_person"]
    assert insurance["x-personal-data"] is True
    assert "name" not in schemas["ApplicantResponse"]["properties"]
