"""The access records' endpoint. A student reads only its own records; another student's id
answers as the other student-owned routes do (the pipeline's owner check)."""

from __future__ import annotations

from gateway.accesses import routes
from gateway.accesses.records import AccessRecords
from gateway.core.call import ApiCall, Reply
from gateway.core.endpoints import Endpoints
from gateway.core.web import api


class AccessEndpoints(Endpoints):
    @api(routes.SUBJECT_ACCESSES)
    def list_student_accesses(self, call: ApiCall) -> Reply:
        page = self.app.read(AccessRecords).of_subject(
            call.path["student_id"], call.query["after"], call.query["limit"]
        )
        return call.answer(page)
