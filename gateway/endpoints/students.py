"""Student endpoints. A student acts only on itself; another student's id answers 404."""

from __future__ import annotations

from typing import Any

from gateway import routes
from gateway.auth import check_student_access, student_subject
from gateway.endpoints import Endpoints
from gateway.errors import ApiError
from gateway.pipeline import ApiCall, Reply
from gateway.readmodels.placement_queries import student_placement_summary
from gateway.schemas import dump, responses
from gateway.web import api


def _registrant(call: ApiCall) -> str:
    """Whose registration this is: a student registers only itself, through channel self."""
    claimed = call.body.get("student_id")
    if call.caller.role != "student":
        return str(claimed or call.new_id())
    own = student_subject(call.caller)
    if own is None:
        raise ApiError("FORBIDDEN", "a student token's subject must be its student id (a UUID)")
    if call.body["channel"] != "self":
        raise ApiError("FORBIDDEN", "students register themselves through the self channel")
    if claimed not in (None, own):
        raise ApiError("FORBIDDEN", "a student may only register itself")
    return own


def _profile(student: dict[str, Any]) -> dict[str, Any]:
    screening = None
    if student["screening_decision"] is not None:
        screening = {
            "decision": student["screening_decision"],
            "reason": student["screening_reason"],
            "screened_at": student["screened_at"],
        }
    return student | {"screening": screening}


class StudentEndpoints(Endpoints):
    @api(routes.REGISTER_STUDENT)
    def register_student(self, call: ApiCall) -> Reply:
        registration = call.body | {
            "student_id": _registrant(call),
            "campaign_id": call.path["campaign_id"],
        }
        result = call.remote(self.recruitment.register_student, registration)
        # The answer leaves out name, phone and ID number: the client has them already.
        return Reply(201, dump(responses.RegistrationResponse, registration | result))

    @api(routes.SCREEN_STUDENT)
    def screen_student(self, call: ApiCall) -> Reply:
        result = call.remote(
            self.recruitment.screen_student,
            call.path["student_id"],
            call.body["decision"],
            call.body["reason"],
        )
        return Reply(200, dump(responses.StudentStateResponse, result))

    @api(routes.WITHDRAW_STUDENT)
    def withdraw_student(self, call: ApiCall) -> Reply:
        check_student_access(call.caller, call.path["student_id"])
        result = call.remote(
            self.recruitment.withdraw_student, call.path["student_id"], call.body["reason"]
        )
        return Reply(200, dump(responses.StudentStateResponse, result))

    @api(routes.JOIN_ALLIANCE)
    def join_alliance(self, call: ApiCall) -> Reply:
        check_student_access(call.caller, call.path["student_id"])
        result = call.remote(self.recruitment.join_alliance, call.path["student_id"])
        return Reply(200, dump(responses.StudentStateResponse, result))

    @api(routes.LEAVE_ALLIANCE)
    def leave_alliance(self, call: ApiCall) -> Reply:
        check_student_access(call.caller, call.path["student_id"])
        result = call.remote(self.recruitment.leave_alliance, call.path["student_id"])
        return Reply(200, dump(responses.StudentStateResponse, result))

    @api(routes.GET_STUDENT)
    def get_student(self, call: ApiCall) -> Reply:
        check_student_access(call.caller, call.path["student_id"])
        student = self.app.queries.get_student(call.path["student_id"])
        if student is None:
            raise ApiError("NOT_FOUND", "no such student", call.path)
        placements = self.app.placements.student_placements(call.path["student_id"])
        profile = _profile(student) | student_placement_summary(placements)
        return Reply(200, dump(responses.StudentProfileResponse, profile))
