"""An activity (a summer classroom, civilised-city work, a river clean-up, a safety talk):
scheduled for a campaign, with a number of seats for volunteers.

scheduled -> completed (once it has started), or cancelled (its sign-ups are released).
Its coordinators are the committee's operators and, for its own activities, the host unit
that runs it; to anyone else a coordinator's action answers "no such activity". Volunteers
sign up and withdraw before the start; no-shows, hours and the people reached come after.
"""

from __future__ import annotations

from datetime import datetime

from services.volunteering.domain.activity_record import CANCELLED, SCHEDULED, ActivityRecord
from services.volunteering.domain.plan import check_kind, check_window
from services.volunteering.domain.volunteer import Volunteer
from shared.actors import HOST_UNIT, OPERATOR, STUDENT, Actor
from shared.contracts.volunteering import events
from shared.contracts.volunteering.commands import (
    ReportBeneficiaries,
    RescheduleActivity,
    ScheduleActivity,
)
from shared.contracts.volunteering.errors import (
    ActivityFullError,
    ActivityNotFoundError,
    ActivityStateError,
    InvalidActivityError,
    SignUpConflictError,
)

COORDINATORS = (OPERATOR, HOST_UNIT)


class Activity(ActivityRecord):
    """Decides on an activity's commands; its state and replay live in ActivityRecord."""

    @classmethod
    def schedule(cls, plan: ScheduleActivity, actor: Actor) -> Activity:
        """An operator schedules any activity; a host unit only one it runs itself."""
        if not actor.may_act_for(COORDINATORS, host_unit_id=plan.host_unit_id):
            raise ActivityNotFoundError.for_id(plan.activity_id)
        check_window(plan.starts_at, plan.ends_at)
        check_kind(plan.kind, plan.subject, plan.topic)
        activity = cls(plan.activity_id)
        activity._record(events.ActivityScheduled(**vars(plan)))
        return activity

    def is_coordinated_by(self, actor: Actor) -> bool:
        return actor.may_act_for(COORDINATORS, host_unit_id=self.host_unit_id)

    def check_coordinated_by(self, actor: Actor) -> None:
        if not self.is_coordinated_by(actor):
            raise ActivityNotFoundError.for_id(self.id)

    def reschedule(
        self, actor: Actor, change: RescheduleActivity, now: datetime, clash: str | None
    ) -> None:
        """A new window before the start. ``clash``: another activity of one of its volunteers
        that the new window would overlap."""
        self.check_coordinated_by(actor)
        self._check_before_start(now, "rescheduled")
        check_window(change.starts_at, change.ends_at)
        if change.starts_at <= now:  # it would have started already: sign-ups closed unseen
            raise InvalidActivityError(
                "an activity can only be moved to a start still to come", {"field": "starts_at"}
            )
        if clash is not None:
            raise SignUpConflictError(
                "a volunteer of this activity has another activity at the new time",
                {"overlapping_activity_id": clash},
            )
        self._record(
            events.ActivityRescheduled(self.id, change.starts_at, change.ends_at, change.reason)
        )

    def cancel(self, actor: Actor, reason: str) -> None:
        """Call a scheduled activity off; every sign-up is released with it."""
        self.check_coordinated_by(actor)
        self._check_status(SCHEDULED, "cancelled")
        self._record(events.ActivityCancelled(self.id, reason, sorted(self.volunteers)))

    def complete(self, actor: Actor, now: datetime) -> None:
        self.check_coordinated_by(actor)
        self._check_status(SCHEDULED, "completed")
        self._check_started(now, "an activity is completed")
        self._record(events.ActivityCompleted(self.id))

    def report_beneficiaries(
        self, actor: Actor, counts: ReportBeneficiaries, now: datetime
    ) -> None:
        """Counts only, once the activity has taken place; a new report replaces the last."""
        self.check_coordinated_by(actor)
        self._check_not_cancelled("report beneficiaries of")
        self._check_started(now, "beneficiaries are reported")
        self._record(
            events.BeneficiariesReported(
                self.id, counts.children, counts.residents, counts.sessions
            )
        )

    def sign_up(
        self, actor: Actor, volunteer: Volunteer, now: datetime, overlapping: str | None
    ) -> None:
        """A student signs up themself (an operator anyone) for a free seat before the start,
        if they may volunteer in the campaign. ``overlapping``: another activity the student
        is signed up for at an overlapping time."""
        if not actor.may_act_for((OPERATOR, STUDENT), student_id=volunteer.id):
            raise ActivityNotFoundError.for_id(self.id)
        self._check_before_start(now, "signed up for")
        volunteer.check_may_volunteer_in(self.campaign_id)
        if volunteer.id in self.volunteers:
            raise SignUpConflictError(
                "the student is signed up already", self._sign_up_details(volunteer.id)
            )
        if self.seats_left == 0:
            raise ActivityFullError(
                "every seat of the activity is taken",
                {"activity_id": self.id, "capacity": self.capacity},
            )
        if overlapping is not None:
            raise SignUpConflictError(
                "the student is signed up for another activity at that time",
                {"overlapping_activity_id": overlapping},
            )
        self._record(events.VolunteerSignedUp(self.id, volunteer.id))

    def withdraw(self, actor: Actor, student_id: str, reason: str, now: datetime) -> None:
        """The volunteer (or a coordinator) gives the seat back before the start."""
        self._check_volunteer_or_coordinator(actor, student_id)
        self._check_before_start(now, "withdrawn from")
        self._check_signed_up(student_id)
        self._record(events.VolunteerWithdrew(self.id, student_id, reason))

    def release(self, student_id: str, reason: str, now: datetime) -> bool:
        """Release a volunteer's seat of an activity still to come (the student left the
        campaign); False when there is none to release."""
        if student_id not in self.volunteers or self.status != SCHEDULED or self.has_started(now):
            return False
        self._record(events.VolunteerWithdrew(self.id, student_id, reason))
        return True

    def record_no_show(self, actor: Actor, student_id: str, now: datetime) -> None:
        self.check_coordinated_by(actor)
        self._check_not_cancelled("record a no-show at")
        self._check_started(now, "a no-show is recorded")
        self._check_signed_up(student_id)
        self._record(events.NoShowRecorded(self.id, student_id))

    def check_hours_loggable(self, actor: Actor, student_id: str, now: datetime) -> None:
        """Hours are logged, by the volunteer or a coordinator, for a volunteer who signed up
        and turned up, at an activity that has taken place and was not called off."""
        self._check_volunteer_or_coordinator(actor, student_id)
        self._check_not_cancelled("log hours at")
        self._check_started(now, "hours are logged")
        self._check_signed_up(student_id)

    def _check_volunteer_or_coordinator(self, actor: Actor, student_id: str) -> None:
        if not (self.is_coordinated_by(actor) or actor.is_student(student_id)):
            raise ActivityNotFoundError.for_id(self.id)

    def _check_signed_up(self, student_id: str) -> None:
        if student_id in self.no_shows:
            problem = "the student was recorded as a no-show"
        elif student_id not in self.volunteers:
            problem = "the student is not signed up for the activity"
        else:
            return
        raise SignUpConflictError(problem, self._sign_up_details(student_id))

    def _sign_up_details(self, student_id: str) -> dict[str, object]:
        return {"activity_id": self.id, "student_id": student_id}

    def _check_status(self, expected: str, verb: str) -> None:
        if self.status != expected:
            raise self._state_error(f"a {self.status} activity cannot be {verb}")

    def _check_not_cancelled(self, action: str) -> None:
        if self.status == CANCELLED:
            raise self._state_error(f"cannot {action} a cancelled activity")

    def _check_before_start(self, now: datetime, verb: str) -> None:
        """Still scheduled, and not started yet."""
        self._check_status(SCHEDULED, verb)
        if self.has_started(now):
            raise self._state_error(f"an activity that has started cannot be {verb}")

    def _check_started(self, now: datetime, what: str) -> None:
        if not self.has_started(now):
            raise self._state_error(f"{what} once the activity has started")

    def _state_error(self, message: str) -> ActivityStateError:
        details = {
            "activity_id": self.id,
            "status": self.status,
            "starts_at": self.starts_at.isoformat(),
        }
        return ActivityStateError(message, details)
