"""Activities: schedule, reschedule, cancel, complete, and the people they reached."""

from __future__ import annotations

from services.volunteering.adapters import indexes
from services.volunteering.domain.activity import Activity
from services.volunteering.handlers import lookups
from services.volunteering.handlers.views import (
    activity_view,
    beneficiaries_view,
    cancellation_view,
)
from shared.contracts.records import Result
from shared.contracts.volunteering import commands
from shared.eventstore.uow import UnitOfWork


def schedule_activity(command: commands.ScheduleActivity, uow: UnitOfWork) -> Result:
    activity = Activity.schedule(command, lookups.actor(uow))
    uow.add(activity)
    return activity_view(activity)


def _coordinated(uow: UnitOfWork, activity_id: str) -> Activity:
    """The activity, held exclusively: its seats and status change one command at a time."""
    return uow.require(Activity, activity_id, lock="exclusive")


def reschedule_activity(command: commands.RescheduleActivity, uow: UnitOfWork) -> Result:
    """Its volunteers are held too, so that none signs up meanwhile for another activity at
    the new time."""
    activity = _coordinated(uow, command.activity_id)
    lookups.hold_volunteers(uow, activity.volunteers)
    clash = indexes.overlapping_sign_up(
        uow.session,
        activity.volunteers,
        command.starts_at,
        command.ends_at,
        besides=activity.id,
    )
    activity.reschedule(lookups.actor(uow), command, uow.clock(), clash)
    return activity_view(activity)


def cancel_activity(command: commands.CancelActivity, uow: UnitOfWork) -> Result:
    activity = _coordinated(uow, command.activity_id)
    released = sorted(activity.volunteers)
    activity.cancel(lookups.actor(uow), command.reason)
    return cancellation_view(activity, released)


def complete_activity(command: commands.CompleteActivity, uow: UnitOfWork) -> Result:
    activity = _coordinated(uow, command.activity_id)
    activity.complete(lookups.actor(uow), uow.clock())
    return activity_view(activity)


def report_beneficiaries(command: commands.ReportBeneficiaries, uow: UnitOfWork) -> Result:
    activity = _coordinated(uow, command.activity_id)
    activity.report_beneficiaries(lookups.actor(uow), command, uow.clock())
    return beneficiaries_view(activity)
