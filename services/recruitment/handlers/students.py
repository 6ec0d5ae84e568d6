"""Students: registration, screening, withdrawal and the Spark Alliance."""

from __future__ import annotations

from services.recruitment.domain.campaign import Campaign
from services.recruitment.domain.student import Student
from shared.contracts.records import Result
from shared.contracts.recruitment import commands
from shared.eventstore.uow import UnitOfWork
from shared.kit.handlers import state_view
from shared.privacy.classes import FIELD_CLASSES


def student_view(student: Student) -> Result:
    return state_view(student, "student_id", "campaign_id", "status", "in_alliance")


def register_student(command: commands.RegisterStudent, uow: UnitOfWork) -> Result:
    """Register into an open campaign; the ID-number index refuses a second registration of
    the same number in the campaign when the unit of work commits."""
    # Shared: registrations run side by side, but a close waits for them (and they for it).
    campaign = uow.require(Campaign, command.campaign_id, lock="shared")
    campaign.check_registration_open(uow.clock())
    student = Student.register(command)
    uow.add(student)
    return student_view(student)


def screen_student(command: commands.ScreenStudent, uow: UnitOfWork) -> Result:
    student = uow.require(Student, command.student_id)
    student.screen(command.decision, command.reason)
    return student_view(student)


def withdraw_student(command: commands.WithdrawStudent, uow: UnitOfWork) -> Result:
    student = uow.require(Student, command.student_id)
    student.withdraw(command.reason)
    return student_view(student)


def join_alliance(command: commands.JoinAlliance, uow: UnitOfWork) -> Result:
    student = uow.require(Student, command.student_id)
    student.join_alliance()
    return student_view(student)


def leave_alliance(command: commands.LeaveAlliance, uow: UnitOfWork) -> Result:
    student = uow.require(Student, command.student_id)
    student.leave_alliance()
    return student_view(student)


def erase_student(command: commands.EraseStudent, uow: UnitOfWork) -> Result:
    """Record ``SubjectErased`` and destroy the student's keys of the field classes it erases
    (every class unless the command names some) in the same transaction; the other
    components destroy theirs when they consume the event. Asked again for classes erased
    already, it answers the same without recording anything."""
    student = uow.require(Student, command.student_id, lock="exclusive")
    erasing = student.erase(command.reason, command.field_classes or FIELD_CLASSES)
    if erasing and uow.keys is not None:
        uow.keys.destroy(uow.session, student.id, erasing)
        uow.stream_cache.clear()
    return student_view(student) | {"erased": True}
