"""Volunteering's command handlers: one table, one way in (``HANDLERS.run``).

The commands of consumed events commit in groups (``group_events``): no caller waits on them,
so a group costs no reply, and it saves a transaction per event (docs/performance.md, "Group
commit for consumed events")."""

from __future__ import annotations

from services.volunteering.handlers import activities, hours, sign_ups, volunteers
from shared.contracts.volunteering import commands
from shared.kit.handlers import CommandHandlers

HANDLERS = CommandHandlers(
    {
        commands.ScheduleActivity: activities.schedule_activity,
        commands.RescheduleActivity: activities.reschedule_activity,
        commands.CancelActivity: activities.cancel_activity,
        commands.CompleteActivity: activities.complete_activity,
        commands.ReportBeneficiaries: activities.report_beneficiaries,
        commands.SignUp: sign_ups.sign_up,
        commands.WithdrawSignUp: sign_ups.withdraw_sign_up,
        commands.RecordNoShow: sign_ups.record_no_show,
        commands.LogHours: hours.log_hours,
        commands.DecideHours: hours.decide_hours,
        commands.CorrectHours: hours.correct_hours,
        commands.QualifyVolunteer: volunteers.qualify_volunteer,
        commands.ReleaseVolunteer: volunteers.release_volunteer,
    },
    group_events=True,
)
