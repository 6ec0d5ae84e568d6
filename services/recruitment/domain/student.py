"""A student's part in one campaign: registration, screening, withdrawal, the Spark Alliance."""

from __future__ import annotations

from dataclasses import dataclass

from services.recruitment.domain.errors import (
    AllianceMembershipError,
    AlreadyScreenedError,
    InvalidApplicationError,
    InvalidScreeningError,
    StudentWithdrawnError,
)
from services.recruitment.domain.events import (
    AllianceJoined,
    AllianceLeft,
    StudentRegistered,
    StudentScreened,
    StudentWithdrew,
)
from shared.domain import Aggregate

CHANNELS = ("organisation", "self")
REGISTERED, APPROVED, REJECTED, WITHDRAWN = "registered", "approved", "rejected", "withdrawn"


@dataclass(frozen=True)
class Application:
    """What a student (or an operator for them) submits to register."""

    name: str
    phone: str
    id_number: str
    university: str
    major: str
    grade: str
    hometown: str
    channel: str


class Student(Aggregate):
    stream_prefix = "student"

    campaign_id: str
    status: str
    in_alliance: bool

    @classmethod
    def register(cls, student_id: str, campaign_id: str, application: Application) -> Student:
        if application.channel not in CHANNELS:
            raise InvalidApplicationError("channel is organisation or self", {"field": "channel"})
        student = cls(student_id)
        student._record(
            StudentRegistered(student_id=student_id, campaign_id=campaign_id, **vars(application))
        )
        return student

    def screen(self, decision: str, reason: str) -> None:
        if decision not in (APPROVED, REJECTED):
            raise InvalidScreeningError(
                "a screening decision is approved or rejected", {"field": "decision"}
            )
        if decision == REJECTED and not reason.strip():
            raise InvalidScreeningError("a rejection needs a reason", {"field": "reason"})
        self._check_not_withdrawn()
        if self.status != REGISTERED:
            raise AlreadyScreenedError(
                f"the student was already {self.status}", {"status": self.status}
            )
        self._record(StudentScreened(self.id, self.campaign_id, decision, reason))

    def withdraw(self, reason: str) -> None:
        self._check_not_withdrawn()
        self._record(StudentWithdrew(self.id, self.campaign_id, reason))

    def join_alliance(self) -> None:
        if self.in_alliance:
            raise AllianceMembershipError("the student is already in the Spark Alliance")
        self._record(AllianceJoined(self.id, self.campaign_id))

    def leave_alliance(self) -> None:
        if not self.in_alliance:
            raise AllianceMembershipError("the student is not in the Spark Alliance")
        self._record(AllianceLeft(self.id, self.campaign_id))

    def _check_not_withdrawn(self) -> None:
        if self.status == WITHDRAWN:
            raise StudentWithdrawnError("the student has withdrawn from the campaign")

    def _when_StudentRegistered(self, event: StudentRegistered) -> None:
        self.campaign_id = event.campaign_id
        self.status = REGISTERED
        self.in_alliance = False

    def _when_StudentScreened(self, event: StudentScreened) -> None:
        self.status = event.decision

    def _when_StudentWithdrew(self, _event: StudentWithdrew) -> None:
        self.status = WITHDRAWN

    def _when_AllianceJoined(self, _event: AllianceJoined) -> None:
        self.in_alliance = True

    def _when_AllianceLeft(self, _event: AllianceLeft) -> None:
        self.in_alliance = False
