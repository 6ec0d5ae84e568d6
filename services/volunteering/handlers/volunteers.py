"""What volunteering does with recruitment's news: qualify approved students and alliance
members, and release a student who withdrew from a campaign.

The kit claims the causing event in the inbox with the effect, so a redelivered event changes
nothing. A withdrawal releases the student's seats at the campaign's activities still to
come; past sign-ups and hours stay as they are.
"""

from __future__ import annotations

from services.volunteering.adapters import indexes
from services.volunteering.domain.activity import Activity
from services.volunteering.handlers import lookups
from services.volunteering.handlers.views import volunteer_view
from shared.contracts.records import Result
from shared.contracts.volunteering import commands
from shared.domain import ConcurrencyConflictError
from shared.eventstore.uow import UnitOfWork
from shared.logging import get_logger

log = get_logger(__name__)


def qualify_volunteer(command: commands.QualifyVolunteer, uow: UnitOfWork) -> Result:
    volunteer = lookups.hold_volunteer(uow, command.student_id)
    if not volunteer.qualify(command.campaign_id, command.basis):
        log.info("volunteer.qualification_ignored", student_id=volunteer.id)
    return volunteer_view(volunteer)


def release_volunteer(command: commands.ReleaseVolunteer, uow: UnitOfWork) -> Result:
    """Release the student from the campaign and from each of its activities to come."""
    session, now = uow.session, uow.clock()
    student_id, campaign_id = command.student_id, command.campaign_id
    to_come = indexes.sign_ups_to_come(session, student_id, campaign_id, now)
    # Activities first, then the volunteer (the one lock order); a sign-up that slipped in
    # before the volunteer was held means deciding again.
    activities = [uow.require(Activity, a, lock="exclusive") for a in to_come]
    volunteer = lookups.hold_volunteer(uow, student_id)
    if indexes.sign_ups_to_come(session, student_id, campaign_id, now) != to_come:
        raise ConcurrencyConflictError(volunteer.stream_id, volunteer.version)
    volunteer.release(campaign_id, command.reason)
    reason = f"the student withdrew from the campaign: {command.reason}"
    for activity in activities:
        activity.release(student_id, reason, now)
    return volunteer_view(volunteer)
