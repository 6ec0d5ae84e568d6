"""Recruitment's command handlers: one table, one way in (``HANDLERS.run``).

Commands that arrive together commit in one transaction (group commit, on SQLite only:
``CommandHandlers.for_database``). It measured slower through the whole suite while a group's
savepoints went through SQLAlchemy (0.4 ms a command); on the driver's cursor it is faster
(docs/performance.md, "Group commit for consumed events, and for commands again")."""

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
    },
    group_commit=True,
)
