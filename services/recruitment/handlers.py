"""Recruitment's command handlers: ``(command, unit_of_work) -> result``, one table, one way in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.recruitment import commands
from services.recruitment.adapters.registrations import reserve_resident_id
from services.recruitment.domain.campaign import Campaign, CampaignPlan
from services.recruitment.domain.errors import (
    CampaignNotFoundError,
    StudentNotFoundError,
)
from services.recruitment.domain.resident_id import normalise_resident_id, resident_id_digest
from services.recruitment.domain.student import Application, Student
from shared.eventstore.uow import StreamLock, UnitOfWork

Result = dict[str, Any]


def _campaign(uow: UnitOfWork, campaign_id: str, lock: StreamLock) -> Campaign:
    campaign = uow.repository(Campaign).get(campaign_id, lock=lock)
    if campaign is None:
        raise CampaignNotFoundError("no such campaign", {"campaign_id": campaign_id})
    return campaign


def _student(uow: UnitOfWork, student_id: str) -> Student:
    student = uow.repository(Student).get(student_id)
    if student is None:
        raise StudentNotFoundError("no such student", {"student_id": student_id})
    return student


def _campaign_view(campaign: Campaign) -> Result:
    return {"campaign_id": campaign.id, "status": campaign.status}


def _student_view(student: Student) -> Result:
    return {
        "student_id": student.id,
        "campaign_id": student.campaign_id,
        "status": student.status,
        "in_alliance": student.in_alliance,
    }


def create_campaign(command: commands.CreateCampaign, uow: UnitOfWork) -> Result:
    with uow:
        plan = CampaignPlan(
            name=command.name,
            year=command.year,
            season=command.season,
            registration_opens_at=command.registration_opens_at,
            registration_closes_at=command.registration_closes_at,
            scope=command.scope,
            practice_content=command.practice_content,
        )
        campaign = Campaign.create(command.campaign_id, plan)
        uow.repository(Campaign).add(campaign)
        uow.commit()
        return _campaign_view(campaign)


def open_campaign(command: commands.OpenCampaign, uow: UnitOfWork) -> Result:
    with uow:
        campaign = _campaign(uow, command.campaign_id, lock="exclusive")
        campaign.open()
        uow.commit()
        return _campaign_view(campaign)


def close_campaign(command: commands.CloseCampaign, uow: UnitOfWork) -> Result:
    with uow:
        campaign = _campaign(uow, command.campaign_id, lock="exclusive")
        campaign.close()
        uow.commit()
        return _campaign_view(campaign)


def register_student(command: commands.RegisterStudent, uow: UnitOfWork) -> Result:
    id_number = normalise_resident_id(command.id_number)
    with uow:
        # Shared: registrations run side by side, but a close waits for them (and they for it).
        _campaign(uow, command.campaign_id, lock="shared").check_registration_open(uow.clock())
        reserve_resident_id(
            uow.session,
            command.campaign_id,
            resident_id_digest(command.campaign_id, id_number),
            command.student_id,
        )
        application = Application(
            name=command.name,
            phone=command.phone,
            id_number=id_number,
            university=command.university,
            major=command.major,
            grade=command.grade,
            hometown=command.hometown,
            channel=command.channel,
        )
        student = Student.register(command.student_id, command.campaign_id, application)
        uow.repository(Student).add(student)
        uow.commit()
        return _student_view(student)


def _act_on_student(uow: UnitOfWork, student_id: str, action: Callable[[Student], None]) -> Result:
    """Load the student, let it decide, commit what it recorded."""
    with uow:
        student = _student(uow, student_id)
        action(student)
        uow.commit()
        return _student_view(student)


def screen_student(command: commands.ScreenStudent, uow: UnitOfWork) -> Result:
    return _act_on_student(
        uow, command.student_id, lambda student: student.screen(command.decision, command.reason)
    )


def withdraw_student(command: commands.WithdrawStudent, uow: UnitOfWork) -> Result:
    return _act_on_student(
        uow, command.student_id, lambda student: student.withdraw(command.reason)
    )


def join_alliance(command: commands.JoinAlliance, uow: UnitOfWork) -> Result:
    return _act_on_student(uow, command.student_id, Student.join_alliance)


def leave_alliance(command: commands.LeaveAlliance, uow: UnitOfWork) -> Result:
    return _act_on_student(uow, command.student_id, Student.leave_alliance)


HANDLERS: dict[type[Any], Callable[[Any, UnitOfWork], Result]] = {
    commands.CreateCampaign: create_campaign,
    commands.OpenCampaign: open_campaign,
    commands.CloseCampaign: close_campaign,
    commands.RegisterStudent: register_student,
    commands.ScreenStudent: screen_student,
    commands.WithdrawStudent: withdraw_student,
    commands.JoinAlliance: join_alliance,
    commands.LeaveAlliance: leave_alliance,
}
