"""The access records' route: a student (or an operator) reads who accessed the student's
personal data. Auditors read every record in the event log instead
(``GET /api/v1/audit/events?type=PersonalDataAccessed``, ``&stream=accesses-<student id>``)."""

from __future__ import annotations

from gateway.accesses import schemas
from gateway.core.route import OPERATOR_OR_STUDENT, read_route

SUBJECT_ACCESSES = read_route(
    "list_student_accesses",
    "/students/{student_id}/accesses",
    "Who read the student's personal data through the gateway (profile, transcript, "
    "documents), when and what for; none of the data (the student, or an operator)",
    "students",
    OPERATOR_OR_STUDENT,
    schemas.AccessPageResponse,
    schemas.AccessPageQuery,
    owner="student_id",
)

ROUTES = (SUBJECT_ACCESSES,)
