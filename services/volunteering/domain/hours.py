"""Hours a volunteer served at an activity: logged (pending), then approved or declined by a
coordinator; approved hours may be corrected, by a new event that keeps the old figure.

Commands speak in hours (half-hour steps), events in whole minutes. For one student and one
activity, the pending and approved minutes together never exceed the activity's duration;
declined ones do not count.
"""

from __future__ import annotations

from datetime import datetime

from services.volunteering.domain.activity import Activity
from shared.actors import Actor
from shared.contracts.volunteering.commands import CorrectHours, LogHours
from shared.contracts.volunteering.errors import (
    HoursExceedActivityError,
    HoursNotFoundError,
    HoursStateError,
    InvalidHoursDecisionError,
)
from shared.contracts.volunteering.events import (
    HoursApproved,
    HoursCorrected,
    HoursDeclined,
    HoursLogged,
)
from shared.domain import Aggregate

PENDING, APPROVED, DECLINED = "pending", "approved", "declined"
MINUTES_PER_HOUR = 60


def minutes_of(hours: float) -> int:
    return round(hours * MINUTES_PER_HOUR)


def check_within_activity(activity: Activity, counted_minutes: int, minutes: int) -> None:
    """``counted_minutes``: the student's other pending and approved minutes there."""
    if counted_minutes + minutes > activity.duration_minutes:
        raise HoursExceedActivityError(
            "the hours would exceed the activity's duration",
            {
                "activity_minutes": activity.duration_minutes,
                "counted_minutes": counted_minutes,
                "requested_minutes": minutes,
            },
        )


class HoursEntry(Aggregate, stream="hours", missing=HoursNotFoundError):
    activity_id: str
    student_id: str
    campaign_id: str
    minutes: int
    status: str

    @property
    def hours(self) -> float:
        return self.minutes / MINUTES_PER_HOUR

    @classmethod
    def log(
        cls, claim: LogHours, activity: Activity, actor: Actor, now: datetime, counted: int
    ) -> HoursEntry:
        """Pending hours for a volunteer of ``activity``; ``counted``: the student's pending
        and approved minutes there so far."""
        activity.check_hours_loggable(actor, claim.student_id, now)
        minutes = minutes_of(claim.hours)
        check_within_activity(activity, counted, minutes)
        entry = cls(claim.hours_id)
        entry._record(
            HoursLogged(
                claim.hours_id,
                activity.id,
                claim.student_id,
                activity.campaign_id,
                minutes,
                claim.note,
            )
        )
        return entry

    def decide(self, actor: Actor, activity: Activity, decision: str, reason: str) -> None:
        """A coordinator approves pending hours, or declines them with a reason."""
        self._check_decided_by(actor, activity)
        self._check_status(PENDING)
        if decision == APPROVED:
            self._record(HoursApproved(self.id, self.minutes))
            return
        if not reason.strip():
            raise InvalidHoursDecisionError("a decline needs a reason", {"field": "reason"})
        self._record(HoursDeclined(self.id, reason))

    def correct(
        self, actor: Actor, activity: Activity, correction: CorrectHours, counted: int
    ) -> None:
        """A new figure for approved hours; ``counted``: the student's other pending and
        approved minutes at the activity."""
        self._check_decided_by(actor, activity)
        self._check_status(APPROVED)
        minutes = minutes_of(correction.hours)
        check_within_activity(activity, counted, minutes)
        self._record(HoursCorrected(self.id, minutes, self.minutes, correction.reason))

    def _check_decided_by(self, actor: Actor, activity: Activity) -> None:
        """Only the activity's coordinators decide on hours; to others the entry does not
        exist."""
        if not activity.is_coordinated_by(actor):
            raise HoursNotFoundError.for_id(self.id)

    def _check_status(self, expected: str) -> None:
        if self.status != expected:
            raise HoursStateError(
                f"the hours are {self.status}, not {expected}",
                {"hours_id": self.id, "status": self.status},
            )

    def _when_HoursLogged(self, event: HoursLogged) -> None:
        self.activity_id, self.student_id = event.activity_id, event.student_id
        self.campaign_id = event.campaign_id
        self.minutes = event.minutes
        self.status = PENDING

    def _when_HoursApproved(self, event: HoursApproved) -> None:
        self.minutes = event.minutes
        self.status = APPROVED

    def _when_HoursDeclined(self, _event: HoursDeclined) -> None:
        self.status = DECLINED

    def _when_HoursCorrected(self, event: HoursCorrected) -> None:
        self.minutes = event.minutes
