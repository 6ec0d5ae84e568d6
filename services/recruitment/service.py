"""The recruitment nameko service: turns each RPC call into a command and hands it on."""

from __future__ import annotations

import uuid
from typing import Any

from services.recruitment import commands
from services.recruitment.domain.events import RECRUITMENT_EVENTS
from services.recruitment.handlers import HANDLERS
from shared.events.canonical import parse_timestamp
from shared.rpc import CommandRejected, rpc
from shared.runtime import LogContext, UnitOfWorkProvider, command_context, dispatch


def _timestamp(value: Any, field: str) -> Any:
    try:
        return parse_timestamp(str(value))
    except ValueError:
        raise CommandRejected(
            "ValidationError",
            f"{field} must be an ISO 8601 timestamp with a zone",
            {"field": field},
        ) from None


class RecruitmentService:
    """Campaigns, registrations, screening and the Spark Alliance."""

    name = "recruitment"
    unit_of_work = UnitOfWorkProvider("recruitment", RECRUITMENT_EVENTS)
    log_context = LogContext()

    def _run(self, context: Any, command: Any) -> dict[str, Any]:
        return dispatch(HANDLERS, command, self.unit_of_work, command_context(context))

    @rpc(expected_exceptions=CommandRejected)
    def create_campaign(self, context: Any, campaign: dict[str, Any]) -> dict[str, Any]:
        command = commands.CreateCampaign(
            campaign_id=str(campaign.get("campaign_id") or uuid.uuid4()),
            name=campaign["name"],
            year=int(campaign["year"]),
            season=campaign["season"],
            registration_opens_at=_timestamp(
                campaign["registration_opens_at"], "registration_opens_at"
            ),
            registration_closes_at=_timestamp(
                campaign["registration_closes_at"], "registration_closes_at"
            ),
            scope=campaign["scope"],
            practice_content=campaign["practice_content"],
        )
        return self._run(context, command)

    @rpc(expected_exceptions=CommandRejected)
    def open_campaign(self, context: Any, campaign_id: str) -> dict[str, Any]:
        return self._run(context, commands.OpenCampaign(campaign_id))

    @rpc(expected_exceptions=CommandRejected)
    def close_campaign(self, context: Any, campaign_id: str) -> dict[str, Any]:
        return self._run(context, commands.CloseCampaign(campaign_id))

    @rpc(expected_exceptions=CommandRejected)
    def register_student(self, context: Any, registration: dict[str, Any]) -> dict[str, Any]:
        fields = {
            name: str(registration[name])
            for name in (
                "campaign_id",
                "name",
                "phone",
                "id_number",
                "university",
                "major",
                "grade",
                "hometown",
                "channel",
            )
        }
        student_id = str(registration.get("student_id") or uuid.uuid4())
        return self._run(context, commands.RegisterStudent(student_id=student_id, **fields))

    @rpc(expected_exceptions=CommandRejected)
    def screen_student(
        self, context: Any, student_id: str, decision: str, reason: str
    ) -> dict[str, Any]:
        return self._run(context, commands.ScreenStudent(student_id, decision, reason))

    @rpc(expected_exceptions=CommandRejected)
    def withdraw_student(self, context: Any, student_id: str, reason: str) -> dict[str, Any]:
        return self._run(context, commands.WithdrawStudent(student_id, reason))

    @rpc(expected_exceptions=CommandRejected)
    def join_alliance(self, context: Any, student_id: str) -> dict[str, Any]:
        return self._run(context, commands.JoinAlliance(student_id))

    @rpc(expected_exceptions=CommandRejected)
    def leave_alliance(self, context: Any, student_id: str) -> dict[str, Any]:
        return self._run(context, commands.LeaveAlliance(student_id))
