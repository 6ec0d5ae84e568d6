"""Recruitment's command handlers: one table, one way in (``HANDLERS.run``).

Group commit (``HANDLERS.with_group_commit()``) is off: through the whole suite it measured
slower than a transaction per command on SQLite (docs/performance.md, "Group commit")."""

from __future__ import annotations

from services.recruitment.handlers import campaigns, students
from shared.contracts.recruitment import commands
from shared.kit.handlers import CommandHandlers

HANDLERS = CommandHandlers(
    {
        commands.CreateCampaign: campaigns.create_campaign,
        commands.OpenCampaign: campaigns.open_campaign,
        commands.CloseCampaign: campaigns.close_campaign,
        commands.RegisterStudent: students.register_student,
        commands.ScreenStudent: students.screen_student,
        commands.WithdrawStudent: students.withdraw_student,
        commands.JoinAlliance: students.join_alliance,
        commands.LeaveAlliance: students.leave_alliance,
        commands.EraseStudent: students.erase_student,
    }
)
