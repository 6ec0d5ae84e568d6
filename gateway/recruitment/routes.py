"""Recruitment's routes, described once: the pipeline enforces them and OpenAPI publishes them."""

from __future__ import annotations

from gateway.core.route import (
    ANY_ROLE,
    OPERATOR,
    OPERATOR_OR_STUDENT,
    REPORT_READERS,
    command_route,
    read_route,
)
from gateway.recruitment import schemas as rs
from gateway.recruitment.registrant import own_registration
from shared.contracts.recruitment import commands

CAMPAIGNS, STUDENTS = "campaigns", "students"

CREATE_CAMPAIGN = command_route(
    "create_campaign",
    "/campaigns",
    "Create a campaign (one season)",
    CAMPAIGNS,
    OPERATOR,
    commands.CreateCampaign,
    rs.CampaignResponse,
    status=201,
)
LIST_CAMPAIGNS = read_route(
    "list_campaigns",
    "/campaigns",
    "List campaigns",
    CAMPAIGNS,
    ANY_ROLE,
    rs.CampaignListResponse,
    rs.CampaignListQuery,
)
GET_CAMPAIGN = read_route(
    "get_campaign",
    "/campaigns/{campaign_id}",
    "Read one campaign",
    CAMPAIGNS,
    ANY_ROLE,
    rs.CampaignResponse,
)
OPEN_CAMPAIGN = command_route(
    "open_campaign",
    "/campaigns/{campaign_id}/open",
    "Open registration",
    CAMPAIGNS,
    OPERATOR,
    commands.OpenCampaign,
    rs.CampaignStatusResponse,
)
CLOSE_CAMPAIGN = command_route(
    "close_campaign",
    "/campaigns/{campaign_id}/close",
    "Close registration",
    CAMPAIGNS,
    OPERATOR,
    commands.CloseCampaign,
    rs.CampaignStatusResponse,
)
REGISTER_STUDENT = command_route(
    "register_student",
    "/campaigns/{campaign_id}/registrations",
    "Register a student (an operator, or a student registering itself with channel self)",
    STUDENTS,
    OPERATOR_OR_STUDENT,
    commands.RegisterStudent,
    rs.RegistrationResponse,
    status=201,
    prepare=own_registration,
)
SCREEN_STUDENT = command_route(
    "screen_student",
    "/students/{student_id}/screening",
    "Record the screening decision",
    STUDENTS,
    OPERATOR,
    commands.ScreenStudent,
    rs.StudentStateResponse,
)
WITHDRAW_STUDENT = command_route(
    "withdraw_student",
    "/students/{student_id}/withdrawal",
    "Withdraw from the campaign",
    STUDENTS,
    OPERATOR_OR_STUDENT,
    commands.WithdrawStudent,
    rs.StudentStateResponse,
    owner="student_id",
)
JOIN_ALLIANCE = command_route(
    "join_alliance",
    "/students/{student_id}/alliance",
    "Join the Spark Alliance",
    STUDENTS,
    OPERATOR_OR_STUDENT,
    commands.JoinAlliance,
    rs.StudentStateResponse,
    owner="student_id",
)
LEAVE_ALLIANCE = command_route(
    "leave_alliance",
    "/students/{student_id}/alliance",
    "Leave the Spark Alliance",
    STUDENTS,
    OPERATOR_OR_STUDENT,
    commands.LeaveAlliance,
    rs.StudentStateResponse,
    method="DELETE",
    owner="student_id",
)
GET_STUDENT = read_route(
    "get_student",
    "/students/{student_id}",
    "Read a student's record (the student or an operator)",
    STUDENTS,
    OPERATOR_OR_STUDENT,
    rs.StudentProfileResponse,
    owner="student_id",
)
LIST_STUDENTS = read_route(
    "list_students",
    "/students",
    "Students, cursor-paged, filtered by campaign, status, university, hometown, channel or a "
    "part of the name (operators)",
    STUDENTS,
    OPERATOR,
    rs.StudentPageResponse,
    rs.StudentListQuery,
)
ERASE_STUDENT = command_route(
    "erase_student",
    "/students/{student_id}/erasure",
    "Erase a student's personal data on their request: their keys are destroyed everywhere, "
    "the read models show [erased], counts and non-personal facts stay (docs/privacy.md); "
    "refused while a placement of the student is agreed or started",
    STUDENTS,
    OPERATOR,
    commands.EraseStudent,
    rs.StudentStateResponse,
)
CAMPAIGN_REPORT = read_route(
    "campaign_report",
    "/campaigns/{campaign_id}/report",
    "Registration, screening and withdrawal counts",
    "reports",
    REPORT_READERS,
    rs.CampaignReportResponse,
)

ROUTES = (
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
    LIST_STUDENTS,
    ERASE_STUDENT,
    CAMPAIGN_REPORT,
)
