"""A student's part in one campaign: registration, screening, withdrawal, the Spark Alliance.

What a registration must look like (an ID number's checksum, a mobile number, a channel) is
the contract's rule (``shared.contracts.recruitment.commands``); what may happen to a student
once registered is decided here.
"""

from __future__ import annotations

from collections.abc import Iterable

from shared.contracts.recruitment.commands import RegisterStudent
from shared.contracts.recruitment.errors import (
    AllianceMembershipError,
    AllianceNotEligibleError,
    AlreadyScreenedError,
    StudentNotFoundError,
    StudentWithdrawnError,
)
from shared.contracts.recruitment.events import (
    AllianceJoined,
    AllianceLeft,
    StudentRegistered,
    StudentScreened,
    StudentWithdrew,
    SubjectErased,
)
from shared.domain import Aggregate
from shared.privacy.classes import FIELD_CLASSES

REGISTERED, APPROVED, REJECTED, WITHDRAWN = "registered", "approved", "rejected", "withdrawn"


class Student(Aggregate, stream="student", missing=StudentNotFoundError):
    """One registration in one campaign, and what became of it."""

    campaign_id: str
    status: str
    in_alliance: bool
    erased_classes: frozenset[str] = frozenset()

    @classmethod
    def register(cls, registration: RegisterStudent) -> Student:
        student = cls(registration.student_id)
        student._record(StudentRegistered(**vars(registration)))
        return student

    def screen(self, decision: str, reason: str) -> None:
        """Approve or reject a registered student, once."""
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
        """The Spark Alliance is the programme's alumni network: for students who took part,
        that is, approved in screening and not withdrawn since."""
        if self.status != APPROVED:
            raise AllianceNotEligibleError(
                f"a {self.status} student cannot join the Spark Alliance", {"status": self.status}
            )
        if self.in_alliance:
            raise AllianceMembershipError("the student is already in the Spark Alliance")
        self._record(AllianceJoined(self.id, self.campaign_id))

    def leave_alliance(self) -> None:
        if not self.in_alliance:
            raise AllianceMembershipError("the student is not in the Spark Alliance")
        self._record(AllianceLeft(self.id, self.campaign_id))

    @property
    def erased(self) -> bool:
        """Every class of the student's personal data is erased."""
        return set(FIELD_CLASSES) <= self.erased_classes

    def erase(self, reason: str, classes: Iterable[str] = FIELD_CLASSES) -> frozenset[str]:
        """Record the erasure of the student's personal data of ``classes`` (the ID number's,
        the phone's, the name's: ``shared.privacy.classes``), each once; the classes erased
        now, none when each was erased before (its keys are gone already: nothing to do)."""
        erasing = frozenset(classes) - self.erased_classes
        if erasing:
            self._record(SubjectErased(self.id, self.campaign_id, reason, sorted(erasing)))
        return erasing

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

    def _when_SubjectErased(self, event: SubjectErased) -> None:
        self.erased_classes = self.erased_classes | set(event.field_classes)
