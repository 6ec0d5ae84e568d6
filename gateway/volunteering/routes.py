"""Volunteering's routes, described once: the pipeline enforces them and OpenAPI publishes them.

Commands go to the volunteering service, which checks from the caller's actor that a host
unit coordinates only its own activities and a student acts only for itself; reads come
from the read models, where a student sees only its own hours.
"""

from __future__ import annotations

from marshmallow import Schema

from gateway.core.route import (
    ANY_ROLE,
    OPERATOR_OR_HOST_UNIT,
    OPERATOR_OR_STUDENT,
    PARTIES_AND_OPERATOR,
    REPORT_READERS,
    Route,
    command_route,
    read_route,
)
from gateway.volunteering import list_schemas as ls
from gateway.volunteering import schemas as vs
from gateway.volunteering.callers import for_themself, run_by_caller
from shared.contracts.records import Command
from shared.contracts.volunteering import commands

ACTIVITIES, SIGN_UPS, HOURS = "activities", "sign-ups", "hours"
ACTIVITY = "/activities/{activity_id}"
SIGN_UP = ACTIVITY + "/signups/{student_id}"


def _coordinated(
    name: str, path: str, summary: str, command: type[Command], response: type[Schema]
) -> Route:
    """A coordinator's command on an activity (an operator, or the host unit running it)."""
    return command_route(name, path, summary, ACTIVITIES, OPERATOR_OR_HOST_UNIT, command, response)


SCHEDULE_ACTIVITY = command_route(
    "schedule_activity",
    "/activities",
    "Schedule an activity (an operator, or a host unit for itself)",
    ACTIVITIES,
    OPERATOR_OR_HOST_UNIT,
    commands.ScheduleActivity,
    vs.ActivityResponse,
    status=201,
    prepare=run_by_caller,
)
LIST_ACTIVITIES = read_route(
    "list_activities",
    "/activities",
    "Activities with their seats taken and left, cursor-paged, soonest first unless sorted "
    "otherwise (by scheduled_at: fixed, while a rescheduled activity moves by starts_at), "
    "filtered by campaign, host unit, kind or status",
    ACTIVITIES,
    ANY_ROLE,
    ls.ActivityListResponse,
    ls.ActivityListQuery,
)
GET_ACTIVITY = read_route(
    "get_activity",
    ACTIVITY,
    "Read an activity: seats taken and left, beneficiaries (its coordinator and sign-ups: "
    "operators and its host unit only)",
    ACTIVITIES,
    ANY_ROLE,
    vs.ActivityDetailResponse,
)
RESCHEDULE_ACTIVITY = _coordinated(
    "reschedule_activity",
    ACTIVITY + "/rescheduling",
    "Move an activity that has not started to a new time",
    commands.RescheduleActivity,
    vs.ActivityChangeResponse,
)
CANCEL_ACTIVITY = _coordinated(
    "cancel_activity",
    ACTIVITY + "/cancellation",
    "Cancel an activity; every sign-up is released",
    commands.CancelActivity,
    vs.CancellationResponse,
)
COMPLETE_ACTIVITY = _coordinated(
    "complete_activity",
    ACTIVITY + "/completion",
    "Complete an activity that has started",
    commands.CompleteActivity,
    vs.ActivityResponse,
)
REPORT_BENEFICIARIES = _coordinated(
    "report_beneficiaries",
    ACTIVITY + "/beneficiaries",
    "Report the children taught, residents reached and sessions held (counts only)",
    commands.ReportBeneficiaries,
    vs.BeneficiariesResponse,
)
SIGN_UP_ROUTE = command_route(
    "sign_up",
    ACTIVITY + "/signups",
    "Sign a student up for a free seat (the student, or an operator)",
    SIGN_UPS,
    OPERATOR_OR_STUDENT,
    commands.SignUp,
    vs.SignUpResponse,
    status=201,
    prepare=for_themself,
)
WITHDRAW_SIGN_UP = command_route(
    "withdraw_sign_up",
    SIGN_UP + "/withdrawal",
    "Give a seat back before the activity starts (the student, or an operator)",
    SIGN_UPS,
    OPERATOR_OR_STUDENT,
    commands.WithdrawSignUp,
    vs.SignUpResponse,
    owner="student_id",
)
RECORD_NO_SHOW = command_route(
    "record_no_show",
    SIGN_UP + "/no-show",
    "Record that a volunteer did not come (a coordinator)",
    SIGN_UPS,
    OPERATOR_OR_HOST_UNIT,
    commands.RecordNoShow,
    vs.SignUpResponse,
)
LOG_HOURS = command_route(
    "log_hours",
    ACTIVITY + "/hours",
    "Log hours served at an activity, pending a decision (the volunteer, or a coordinator)",
    HOURS,
    PARTIES_AND_OPERATOR,
    commands.LogHours,
    vs.HoursResponse,
    status=201,
    prepare=for_themself,
)
DECIDE_HOURS = command_route(
    "decide_hours",
    "/hours/{hours_id}/decision",
    "Approve or decline pending hours (a decline needs a reason; a coordinator)",
    HOURS,
    OPERATOR_OR_HOST_UNIT,
    commands.DecideHours,
    vs.HoursResponse,
)
CORRECT_HOURS = command_route(
    "correct_hours",
    "/hours/{hours_id}/correction",
    "Correct approved hours with a reason; the old figure stays in the log (a coordinator)",
    HOURS,
    OPERATOR_OR_HOST_UNIT,
    commands.CorrectHours,
    vs.HoursResponse,
)
LIST_HOURS = read_route(
    "list_hours",
    "/hours",
    "Hours logged, cursor-paged, newest first unless sorted otherwise, filtered by campaign, "
    "activity, student or status (an operator: all; a host unit: those at its activities; a "
    "student: their own)",
    HOURS,
    PARTIES_AND_OPERATOR,
    ls.HoursPageResponse,
    ls.HoursListQuery,
)
GET_STUDENT_VOLUNTEERING = read_route(
    "get_student_volunteering",
    "/students/{student_id}/volunteering",
    "A student's activities, hours by status and approved total (the student, or an operator)",
    SIGN_UPS,
    OPERATOR_OR_STUDENT,
    vs.StudentVolunteeringResponse,
    owner="student_id",
)
VOLUNTEERING_REPORT = read_route(
    "volunteering_report",
    "/campaigns/{campaign_id}/volunteering/report",
    "Activities, volunteers, approved hours, children, residents and sessions per kind, "
    "subject and topic, and in all",
    "reports",
    REPORT_READERS,
    vs.VolunteeringReportResponse,
)

ROUTES = (
    SCHEDULE_ACTIVITY,
    LIST_ACTIVITIES,
    GET_ACTIVITY,
    RESCHEDULE_ACTIVITY,
    CANCEL_ACTIVITY,
    COMPLETE_ACTIVITY,
    REPORT_BENEFICIARIES,
    SIGN_UP_ROUTE,
    WITHDRAW_SIGN_UP,
    RECORD_NO_SHOW,
    LOG_HOURS,
    DECIDE_HOURS,
    CORRECT_HOURS,
    LIST_HOURS,
    GET_STUDENT_VOLUNTEERING,
    VOLUNTEERING_REPORT,
)
