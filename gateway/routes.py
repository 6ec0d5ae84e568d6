"""Every HTTP route, described once: the endpoints enforce it and OpenAPI publishes it."""

from __future__ import annotations

from gateway.placement_routes import PLACEMENT_ROUTES
from gateway.route import ANY_ROLE, BASE, OPERATOR, OPERATOR_OR_STUDENT, PUBLIC, Route
from gateway.schemas import requests as rq
from gateway.schemas import responses as rs
from gateway.selection_routes import SELECTION_ROUTES


def _campaigns(suffix: str = "") -> str:
    return f"{BASE}/campaigns{suffix}"


def _students(suffix: str = "") -> str:
    return f"{BASE}/students/{{student_id}}{suffix}"


CREATE_CAMPAIGN = Route(
    "create_campaign",
    "POST",
    _campaigns(),
    "Create a campaign (one season)",
    "campaigns",
    OPERATOR,
    201,
    rq.CreateCampaignRequest,
    response=rs.CampaignResponse,
    errors=("INVALID_CAMPAIGN", "CONCURRENT_UPDATE"),
    remote=True,
)
LIST_CAMPAIGNS = Route(
    "list_campaigns",
    "GET",
    _campaigns(),
    "List campaigns",
    "campaigns",
    ANY_ROLE,
    query=rq.CampaignListQuery,
    response=rs.CampaignListResponse,
)
GET_CAMPAIGN = Route(
    "get_campaign",
    "GET",
    _campaigns("/{campaign_id}"),
    "Read one campaign",
    "campaigns",
    ANY_ROLE,
    response=rs.CampaignResponse,
)
OPEN_CAMPAIGN = Route(
    "open_campaign",
    "POST",
    _campaigns("/{campaign_id}/open"),
    "Open registration",
    "campaigns",
    OPERATOR,
    body=rq.EmptyRequest,
    response=rs.CampaignStatusResponse,
    errors=("CAMPAIGN_STATE_CONFLICT", "CONCURRENT_UPDATE"),
    remote=True,
)
CLOSE_CAMPAIGN = Route(
    "close_campaign",
    "POST",
    _campaigns("/{campaign_id}/close"),
    "Close registration",
    "campaigns",
    OPERATOR,
    body=rq.EmptyRequest,
    response=rs.CampaignStatusResponse,
    errors=("CAMPAIGN_STATE_CONFLICT", "CONCURRENT_UPDATE"),
    remote=True,
)
REGISTER_STUDENT = Route(
    "register_student",
    "POST",
    _campaigns("/{campaign_id}/registrations"),
    "Register a student (an operator, or a student registering itself with channel self)",
    "students",
    OPERATOR_OR_STUDENT,
    201,
    rq.RegisterStudentRequest,
    response=rs.RegistrationResponse,
    errors=(
        "REGISTRATION_CLOSED",
        "DUPLICATE_REGISTRATION",
        "INVALID_ID_NUMBER",
        "CONCURRENT_UPDATE",
    ),
    remote=True,
)
SCREEN_STUDENT = Route(
    "screen_student",
    "POST",
    _students("/screening"),
    "Record the screening decision",
    "students",
    OPERATOR,
    body=rq.ScreenStudentRequest,
    response=rs.StudentStateResponse,
    errors=("ALREADY_SCREENED", "STUDENT_WITHDRAWN", "CONCURRENT_UPDATE"),
    remote=True,
)
WITHDRAW_STUDENT = Route(
    "withdraw_student",
    "POST",
    _students("/withdrawal"),
    "Withdraw from the campaign",
    "students",
    OPERATOR_OR_STUDENT,
    body=rq.WithdrawStudentRequest,
    response=rs.StudentStateResponse,
    errors=("STUDENT_WITHDRAWN", "CONCURRENT_UPDATE"),
    remote=True,
)
JOIN_ALLIANCE = Route(
    "join_alliance",
    "POST",
    _students("/alliance"),
    "Join the Spark Alliance",
    "students",
    OPERATOR_OR_STUDENT,
    body=rq.EmptyRequest,
    response=rs.StudentStateResponse,
    errors=("ALLIANCE_MEMBERSHIP_CONFLICT", "CONCURRENT_UPDATE"),
    remote=True,
)
LEAVE_ALLIANCE = Route(
    "leave_alliance",
    "DELETE",
    _students("/alliance"),
    "Leave the Spark Alliance",
    "students",
    OPERATOR_OR_STUDENT,
    body=rq.EmptyRequest,
    response=rs.StudentStateResponse,
    errors=("ALLIANCE_MEMBERSHIP_CONFLICT", "CONCURRENT_UPDATE"),
    remote=True,
)
GET_STUDENT = Route(
    "get_student",
    "GET",
    _students(),
    "Read a student's record (the student or an operator)",
    "students",
    OPERATOR_OR_STUDENT,
    response=rs.StudentProfileResponse,
)
CAMPAIGN_REPORT = Route(
    "campaign_report",
    "GET",
    _campaigns("/{campaign_id}/report"),
    "Registration, screening and withdrawal counts",
    "reports",
    OPERATOR,
    response=rs.CampaignReportResponse,
)
HEALTH = Route(
    "healthz",
    "GET",
    "/healthz",
    "The process is up",
    "operations",
    PUBLIC,
    response=rs.HealthResponse,
)
READINESS = Route(
    "readyz",
    "GET",
    "/readyz",
    "The broker and databases are reachable",
    "operations",
    PUBLIC,
    response=rs.ReadinessResponse,
    errors=("SERVICE_UNAVAILABLE",),
)
OPENAPI = Route("openapi", "GET", "/openapi.json", "This document", "operations", PUBLIC)

ROUTES: tuple[Route, ...] = (
    CREATE_CAMPAIGN,
    LIST_CAMPAIGNS,
    GET_CAMPAIGN,
    OPEN_CAMPAIGN,
    CLOSE_CAMPAIGN,
    REGISTER_STUDENT,
    SCREEN_STUDENT,
    WITHDRAW_STUDENT,
    JOIN_ALLIANCE,
    LEAVE_ALLIANCE,
    GET_STUDENT,
    CAMPAIGN_REPORT,
    *SELECTION_ROUTES,
    *PLACEMENT_ROUTES,
    HEALTH,
    READINESS,
    OPENAPI,
)
