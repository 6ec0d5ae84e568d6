"""Sign-ups: take a seat, give it back, and record a volunteer who did not come.

Each takes the activity's stream exclusively, so sign-ups for one activity are decided one
after another on its current seats: the last seat goes to one of them, and the others are
refused ACTIVITY_FULL rather than told to retry.
"""

from __future__ import annotations

from services.volunteering.adapters import indexes
from services.volunteering.domain.activity import Activity
from services.volunteering.handlers import lookups
from services.volunteering.handlers.views import sign_up_view
from shared.contracts.records import Result
from shared.contracts.volunteering import commands
from shared.eventstore.uow import UnitOfWork


def sign_up(command: commands.SignUp, uow: UnitOfWork) -> Result:
    """The volunteer is held too, so that two sign-ups of one student for activities at the
    same time cannot both pass the overlap check."""
    activity = uow.require(Activity, command.activity_id, lock="exclusive")
    volunteer = lookups.hold_volunteer(uow, command.student_id)
    overlapping = indexes.overlapping_sign_up(
        uow.session, [volunteer.id], activity.starts_at, activity.ends_at, besides=activity.id
    )
    activity.sign_up(lookups.actor(uow), volunteer, uow.clock(), overlapping)
    return sign_up_view(activity, volunteer.id)


def withdraw_sign_up(command: commands.WithdrawSignUp, uow: UnitOfWork) -> Result:
    activity = uow.require(Activity, command.activity_id, lock="exclusive")
    activity.withdraw(lookups.actor(uow), command.student_id, command.reason, uow.clock())
    return sign_up_view(activity, command.student_id)


def record_no_show(command: commands.RecordNoShow, uow: UnitOfWork) -> Result:
    activity = uow.require(Activity, command.activity_id, lock="exclusive")
    activity.record_no_show(lookups.actor(uow), command.student_id, uow.clock())
    return sign_up_view(activity, command.student_id)
