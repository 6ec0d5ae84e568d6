"""The gateway's volunteering edge without a broker: request bodies (the command contracts),
who acts for whom, who sees an activity's coordinator, the refusals' codes, and the routes'
documentation."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from gateway.core.call import ApiCall, Reply, send_command
from gateway.core.errors import ApiError, error_catalogue
from gateway.core.openapi import openapi_document
from gateway.core.request_body import load, load_command
from gateway.core.route import Route
from gateway.core.schemas import dump
from gateway.core.tokens import Principal
from gateway.sections import ROUTES
from gateway.volunteering import routes
from gateway.volunteering.endpoints import coordinates
from gateway.volunteering.list_schemas import ActivityListQuery
from gateway.volunteering.schemas import ActivityResponse
from shared.contracts.records import COMMANDS
from shared.contracts.volunteering import commands, errors
from shared.domain import DomainError
from shared.kit.client import CommandSender

UNIT, OTHER_UNIT, STUDENT, OTHER_STUDENT = (str(uuid.uuid4()) for _ in range(4))
OPERATOR = Principal("op-1", "operator")
IDS = {"activity_id": str(uuid.uuid4()), "hours_id": str(uuid.uuid4()), "student_id": STUDENT}


def loaded(route: Route, body: Any) -> Any:
    return load_command(route, body, {name: IDS[name] for name in route.path_parameters})


def refused_fields(route: Route, body: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(ApiError) as refused:
        loaded(route, body)
    assert refused.value.code == "VALIDATION_FAILED"
    fields: dict[str, Any] = refused.value.details["fields"]
    return fields


def make_activity(**overrides: Any) -> dict[str, Any]:
    body = {
        "campaign_id": str(uuid.uuid4()),
        "title": "Paper-cutting for beginners",
        "kind": "classroom",
        "subject": "paper_cutting",
        "place": "Xiangyang Street community centre",
        "starts_at": "2024-07-15T09:00:00+08:00",
        "ends_at": "2024-07-15T11:00:00+08:00",
        "capacity": 10,
        "coordinator": "王芳",
    }
    return body | overrides


def sent(route: Route, principal: Principal, body: Any) -> tuple[Reply, list[dict[str, Any]]]:
    """Send ``body`` on ``route`` as ``principal`` to a stand-in volunteering service that
    answers with the arguments it received (as the real one answers with a view)."""
    received: list[dict[str, Any]] = []

    def volunteering(_service: str, _method: str, _context: Any, arguments: Any) -> Any:
        received.append(arguments)
        return {"status": "pending"} if route is routes.LOG_HOURS else {}

    command = loaded(route, body)
    path = {name: IDS[name] for name in route.path_parameters}
    call = ApiCall(route, principal, path, {}, command, "c", 5, CommandSender(volunteering))
    return send_command(call), received


def test_an_activity_loads_with_utc_times_and_a_talk_with_a_topic_and_no_subject() -> None:
    plan = loaded(routes.SCHEDULE_ACTIVITY, make_activity())
    assert isinstance(plan, commands.ScheduleActivity)
    assert (plan.starts_at.hour, plan.host_unit_id, plan.topic) == (1, "", "")
    talk = make_activity(kind="safety_talk", subject="", topic="drowning_prevention")
    assert loaded(routes.SCHEDULE_ACTIVITY, talk).topic == "drowning_prevention"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "party"}, "kind"),
        ({"subject": "dance"}, "subject"),
        ({"topic": "fire"}, "topic"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": 501}, "capacity"),
        ({"starts_at": "15 July"}, "starts_at"),
        ({"children_names": ["小明"]}, "children_names"),
    ],
)
def test_an_activity_with_a_bad_field_is_refused(overrides: dict[str, Any], field: str) -> None:
    assert field in refused_fields(routes.SCHEDULE_ACTIVITY, make_activity(**overrides))


def test_beneficiaries_are_counts_and_a_name_has_nowhere_to_go() -> None:
    counts = {"children": 45, "residents": 0, "sessions": 3}
    assert loaded(routes.REPORT_BENEFICIARIES, counts).children == 45
    assert "names" in refused_fields(routes.REPORT_BENEFICIARIES, counts | {"names": ["小红"]})
    assert "children" in refused_fields(routes.REPORT_BENEFICIARIES, counts | {"children": -1})


def test_hours_come_in_half_hour_steps_and_a_decision_is_approved_or_declined() -> None:
    assert loaded(routes.LOG_HOURS, {"student_id": STUDENT, "hours": 2.5}).note == ""
    assert "hours" in refused_fields(routes.LOG_HOURS, {"student_id": STUDENT, "hours": 2.2})
    assert "hours" in refused_fields(routes.LOG_HOURS, {"student_id": STUDENT, "hours": "2"})
    assert "decision" in refused_fields(routes.DECIDE_HOURS, {"decision": "maybe"})
    assert loaded(routes.DECIDE_HOURS, {"decision": "declined"}).reason == ""


def test_activities_are_listed_fifty_at_a_time_by_campaign_and_kind() -> None:
    assert load(ActivityListQuery, {}) == {"limit": 50, "sort": "starts_at"}
    campaign_id = str(uuid.uuid4())
    query = load(ActivityListQuery, {"campaign_id": campaign_id, "kind": "river_cleanup"})
    assert (str(query["campaign_id"]), query["kind"]) == (campaign_id, "river_cleanup")
    for bad in ({"kind": "party"}, {"campaign_id": "c-1"}, {"limit": "0"}, {"offset": "1"}):
        with pytest.raises(ApiError):
            load(ActivityListQuery, bad)


def test_a_host_unit_schedules_under_its_own_id_and_hears_no_coordinator_back() -> None:
    reply, received = sent(routes.SCHEDULE_ACTIVITY, Principal(UNIT, "host_unit"), make_activity())
    assert reply.status == 201
    assert reply.body["host_unit_id"] == received[0]["host_unit_id"] == UNIT
    assert received[0]["coordinator"] == "王芳"
    assert "coordinator" not in reply.body
    assert uuid.UUID(reply.body["activity_id"])


def test_a_host_unit_may_not_schedule_for_another_and_the_committee_runs_an_operators() -> None:
    with pytest.raises(ApiError) as refused:
        sent(
            routes.SCHEDULE_ACTIVITY,
            Principal(UNIT, "host_unit"),
            make_activity(host_unit_id=OTHER_UNIT),
        )
    assert refused.value.code == "FORBIDDEN"
    with pytest.raises(ApiError) as unnamed:
        sent(routes.SCHEDULE_ACTIVITY, Principal("unit-a", "host_unit"), make_activity())
    assert unnamed.value.code == "FORBIDDEN"
    reply, received = sent(routes.SCHEDULE_ACTIVITY, OPERATOR, make_activity())
    assert (received[0]["host_unit_id"], reply.body["host_unit_id"]) == ("", None)


@pytest.mark.parametrize(
    ("route", "body"),
    [
        (routes.SIGN_UP_ROUTE, {"student_id": OTHER_STUDENT}),
        (routes.LOG_HOURS, {"student_id": OTHER_STUDENT, "hours": 2}),
    ],
)
def test_a_student_acts_only_for_itself_and_another_students_id_answers_404(
    route: Route, body: dict[str, Any]
) -> None:
    with pytest.raises(ApiError) as hidden:
        sent(route, Principal(STUDENT, "student"), body)
    assert (hidden.value.code, hidden.value.status) == ("NOT_FOUND", 404)
    own, received = sent(route, Principal(STUDENT, "student"), body | {"student_id": STUDENT})
    assert (own.status, received[0]["student_id"]) == (201, STUDENT)
    for anyone in (OPERATOR, Principal(UNIT, "host_unit")):
        if anyone.role in route.roles:
            assert sent(route, anyone, body)[1][0]["student_id"] == OTHER_STUDENT


def test_logged_hours_answer_pending_with_their_id() -> None:
    reply, _received = sent(routes.LOG_HOURS, OPERATOR, {"student_id": STUDENT, "hours": 3})
    assert (reply.status, reply.body["status"], reply.body["hours"]) == (201, "pending", 3.0)
    assert uuid.UUID(reply.body["hours_id"])


def test_an_activitys_coordinator_is_for_operators_and_its_own_host_unit() -> None:
    run_by_unit = {"host_unit_id": UNIT}
    assert coordinates(OPERATOR, {"host_unit_id": None})
    assert coordinates(Principal(UNIT, "host_unit"), run_by_unit)
    assert not coordinates(Principal(OTHER_UNIT, "host_unit"), run_by_unit)
    assert not coordinates(Principal(UNIT, "host_unit"), {"host_unit_id": None})
    assert not coordinates(Principal(STUDENT, "student"), run_by_unit)


def test_an_empty_host_unit_subject_or_topic_is_answered_as_null() -> None:
    answered = dump(ActivityResponse, {"host_unit_id": "", "subject": "", "topic": "sanitation"})
    assert answered == {"host_unit_id": None, "subject": None, "topic": "sanitation"}


VOLUNTEERING_REFUSALS = [
    (errors.ActivityNotFoundError, 404, "NOT_FOUND"),
    (errors.HoursNotFoundError, 404, "NOT_FOUND"),
    (errors.InvalidActivityError, 422, "INVALID_ACTIVITY"),
    (errors.ActivityStateError, 409, "ACTIVITY_STATE_CONFLICT"),
    (errors.ActivityFullError, 409, "ACTIVITY_FULL"),
    (errors.NotAVolunteerError, 409, "NOT_A_VOLUNTEER"),
    (errors.SignUpConflictError, 409, "SIGN_UP_CONFLICT"),
    (errors.HoursExceedActivityError, 422, "HOURS_EXCEED_ACTIVITY"),
    (errors.InvalidHoursDecisionError, 422, "INVALID_HOURS_DECISION"),
    (errors.HoursStateError, 409, "HOURS_STATE_CONFLICT"),
]


@pytest.mark.parametrize(("error", "status", "code"), VOLUNTEERING_REFUSALS)
def test_volunteering_refusals_map_to_their_status_and_code(
    error: type[DomainError], status: int, code: str
) -> None:
    answered = ApiError.from_domain_error(error("refused", {"activity_id": "a"}))
    assert (answered.status, answered.code) == (status, code)
    assert error.__name__ in error_catalogue()[code].domain_errors


def test_every_exposed_volunteering_command_has_a_route() -> None:
    exposed = {
        command for command in COMMANDS if command.service == "volunteering" and command.exposed
    }
    assert {route.command for route in routes.ROUTES if route.command} == exposed


def test_every_volunteering_route_is_documented_with_its_roles_and_codes() -> None:
    document = openapi_document(ROUTES)
    assert len(routes.ROUTES) == 16  # 15, and the list of hours
    for route in routes.ROUTES:
        operation = document["paths"][route.path][route.method.lower()]
        assert operation["operationId"] == route.name
        assert str(route.status) in operation["responses"]
        for code in route.error_codes:
            assert f"`{code}`" in str(operation["responses"]), (route.name, code)
    sign_up = document["paths"]["/api/v1/activities/{activity_id}/signups"]["post"]
    assert "ACTIVITY_FULL" in str(sign_up["responses"]["409"])
    assert "NOT_A_VOLUNTEER" in str(sign_up["responses"]["409"])
    assert sign_up["description"] == "Roles: operator, student."
    mine = document["paths"]["/api/v1/students/{student_id}/volunteering"]["get"]
    assert "NOT_FOUND" in str(mine["responses"]["404"])


def test_the_coordinator_is_marked_personal_in_the_openapi_document() -> None:
    schemas = openapi_document(ROUTES)["components"]["schemas"]
    assert schemas["ScheduleActivityRequest"]["properties"]["coordinator"]["x-personal-data"]
    assert schemas["ActivityDetailResponse"]["properties"]["coordinator"]["x-personal-data"]
    assert "coordinator" not in schemas["ActivityResponse"]["properties"]
    counts = set(schemas["ReportBeneficiariesRequest"]["properties"])
    assert counts == {"children", "residents", "sessions"}
