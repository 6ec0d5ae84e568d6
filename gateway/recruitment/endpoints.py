"""Recruitment's read endpoints: campaigns, a student's record, the campaign report. A student
reads only its own record; another student's id answers 404."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from gateway.accesses.records import AccessRecords
from gateway.core.call import ApiCall, Reply, send_command
from gateway.core.endpoints import Endpoints
from gateway.core.errors import ApiError
from gateway.core.web import ApiEndpoint, api
from gateway.placement.queries import PlacementReads, student_placement_summary
from gateway.recruitment import routes
from gateway.recruitment.queries import RecruitmentReads


def _profile(student: dict[str, Any]) -> dict[str, Any]:
    screening = None
    if student["screening_decision"] is not None:
        screening = {
            "decision": student["screening_decision"],
            "reason": student["screening_reason"],
            "screened_at": student["screened_at"],
        }
    return student | {"screening": screening}


RUNNING = ("agreed", "started")


def _erase_student(self: RecruitmentEndpoints, request: Request, **_path: str) -> Response:
    """Erasure, after the check the law allows: not while a placement still needs the data."""

    def action(call: ApiCall) -> Reply:
        placements = self.app.read(PlacementReads).student_placements(call.path["student_id"])
        if any(placement["status"] in RUNNING for placement in placements):
            raise ApiError(
                "PLACEMENT_RUNNING",
                "a placement of the student is running; erase after it ends or completes",
                {"student_id": call.path["student_id"]},
            )
        return send_command(call)

    response: Response = self.app.edge.handle(request, routes.ERASE_STUDENT, action, self.services)
    return response


class RecruitmentEndpoints(Endpoints):
    erase_student = ApiEndpoint.decorator(routes.ERASE_STUDENT)(_erase_student)

    @api(routes.LIST_CAMPAIGNS)
    def list_campaigns(self, call: ApiCall) -> Reply:
        found, total = self.app.read(RecruitmentReads).list_campaigns(**call.query)
        page = {"campaigns": found, "total": total}
        return call.answer(page | {"limit": call.query["limit"], "offset": call.query["offset"]})

    @api(routes.GET_CAMPAIGN)
    def get_campaign(self, call: ApiCall) -> Reply:
        campaign = self.app.read(RecruitmentReads).get_campaign(call.path["campaign_id"])
        return call.answer(call.found(campaign, "campaign"))

    @api(routes.LIST_STUDENTS)
    def list_students(self, call: ApiCall) -> Reply:
        items, next_cursor = self.app.read(RecruitmentReads).students_page(**call.query)
        campaign_id = call.query.get("campaign_id")
        resource = f"campaigns/{campaign_id}/students" if campaign_id else "students"
        self.app.read(AccessRecords).record(call, "list", resource, people=len(items))
        return call.answer({"items": items, "next_cursor": next_cursor})

    @api(routes.CAMPAIGN_REPORT)
    def campaign_report(self, call: ApiCall) -> Reply:
        report = self.app.read(RecruitmentReads).campaign_report(call.path["campaign_id"])
        return call.answer(call.found(report, "campaign"))

    @api(routes.GET_STUDENT)
    def get_student(self, call: ApiCall) -> Reply:
        student_id = call.path["student_id"]
        student = call.found(self.app.read(RecruitmentReads).get_student(student_id), "student")
        placements = self.app.read(PlacementReads).student_placements(student_id)
        records = self.app.read(AccessRecords)
        records.record(call, "profile", f"students/{student_id}", subject_id=student_id)
        return call.answer(_profile(student) | student_placement_summary(placements))
