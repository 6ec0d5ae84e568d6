"""Volunteering's read endpoints (its command routes need none). Anyone signed in browses
activities and their seats; an activity's coordinator and sign-ups go to operators and the
host unit running it; a student reads only its own volunteering (another id answers 404) and
lists only its own hours, a host unit those at its activities."""

from __future__ import annotations

from typing import Any

from gateway.core.auth import host_unit_subject, student_subject
from gateway.core.call import ApiCall, Reply
from gateway.core.endpoints import Endpoints
from gateway.core.tokens import Principal
from gateway.core.web import api
from gateway.recruitment.queries import RecruitmentReads
from gateway.volunteering import routes
from gateway.volunteering.lists import VolunteeringLists
from gateway.volunteering.queries import VolunteeringReads

COORDINATORS_ONLY = ("coordinator", "sign_ups")


def coordinates(principal: Principal, activity: dict[str, Any]) -> bool:
    """Operators coordinate every activity; a host unit those it runs."""
    if principal.role == "operator":
        return True
    own = host_unit_subject(principal)
    return own is not None and own == activity["host_unit_id"]


def _as_seen_by(principal: Principal, activity: dict[str, Any]) -> dict[str, Any]:
    if coordinates(principal, activity):
        return activity
    return {name: value for name, value in activity.items() if name not in COORDINATORS_ONLY}


class VolunteeringEndpoints(Endpoints):
    @api(routes.LIST_ACTIVITIES)
    def list_activities(self, call: ApiCall) -> Reply:
        found, next_cursor, total = self.app.read(VolunteeringLists).activities_page(**call.query)
        shown = [_as_seen_by(call.caller, activity) for activity in found]
        page = {"items": shown, "next_cursor": next_cursor, "activities": shown}
        return call.answer(page | {"total": total, "limit": call.query["limit"]})

    @api(routes.LIST_HOURS)
    def list_hours(self, call: ApiCall) -> Reply:
        """A student's own hours only, a host unit's those at its activities: any other
        student filter gives an empty page, as a student without hours would."""
        query, role = dict(call.query), call.caller.role
        if role == "student":
            own = student_subject(call.caller)
            if own is None or query.setdefault("student_id", own) != own:
                return call.answer({"items": [], "next_cursor": None})
        if role == "host_unit":
            query["host_unit_id"] = host_unit_subject(call.caller) or "-"
        found, next_cursor = self.app.read(VolunteeringLists).hours_page(**query)
        return call.answer({"items": found, "next_cursor": next_cursor})

    @api(routes.GET_ACTIVITY)
    def get_activity(self, call: ApiCall) -> Reply:
        found = self.app.read(VolunteeringReads).activity(call.path["activity_id"])
        return call.answer(_as_seen_by(call.caller, call.found(found, "activity")))

    @api(routes.GET_STUDENT_VOLUNTEERING)
    def get_student_volunteering(self, call: ApiCall) -> Reply:
        student_id = call.path["student_id"]
        call.found(self.app.read(RecruitmentReads).get_student(student_id), "student")
        return call.answer(self.app.read(VolunteeringReads).student_volunteering(student_id))

    @api(routes.VOLUNTEERING_REPORT)
    def volunteering_report(self, call: ApiCall) -> Reply:
        campaign_id = call.path["campaign_id"]
        call.found(self.app.read(RecruitmentReads).get_campaign(campaign_id), "campaign")
        return call.answer(self.app.read(VolunteeringReads).report(campaign_id))
