"""Hours: logged by a volunteer or a coordinator, decided and corrected by a coordinator.

Whatever changes how many minutes count for a student (logging, correcting) holds the
student's volunteer stream, so that two entries cannot both fit under the activity's
duration when only one does.
"""

from __future__ import annotations

from services.volunteering.adapters import indexes
from services.volunteering.domain.activity import Activity
from services.volunteering.domain.hours import HoursEntry
from services.volunteering.handlers import lookups
from services.volunteering.handlers.views import hours_view
from shared.contracts.records import Result
from shared.contracts.volunteering import commands
from shared.eventstore.uow import UnitOfWork


def log_hours(command: commands.LogHours, uow: UnitOfWork) -> Result:
    # Shared: hours at one activity are logged side by side, but a no-show waits for them.
    activity = uow.require(Activity, command.activity_id, lock="shared")
    lookups.hold_volunteer(uow, command.student_id)
    counted = indexes.minutes_counted(uow.session, activity.id, command.student_id)
    entry = HoursEntry.log(command, activity, lookups.actor(uow), uow.clock(), counted)
    uow.add(entry)
    return hours_view(entry)


def decide_hours(command: commands.DecideHours, uow: UnitOfWork) -> Result:
    entry = uow.require(HoursEntry, command.hours_id)
    activity = uow.require(Activity, entry.activity_id)
    entry.decide(lookups.actor(uow), activity, command.decision, command.reason)
    return hours_view(entry)


def correct_hours(command: commands.CorrectHours, uow: UnitOfWork) -> Result:
    entry = uow.require(HoursEntry, command.hours_id)
    activity = uow.require(Activity, entry.activity_id)
    lookups.hold_volunteer(uow, entry.student_id)
    counted = indexes.minutes_counted(uow.session, activity.id, entry.student_id, besides=entry.id)
    entry.correct(lookups.actor(uow), activity, command, counted)
    return hours_view(entry)
