"""An appointment: an operator appoints a student part-time deputy secretary (兼职副书记) of a
township or street Youth League committee for a term, with a letter numbered gapless per
year. It ends at its term's end, or earlier by a dismissal with a reason. A student holds at
most one active appointment of one committee.

active -> ended (term ended, or dismissed).
"""

from __future__ import annotations

from datetime import date, datetime

from services.honors.domain.serials import letter_serial
from shared.actors import Actor
from shared.contracts.honors import events
from shared.contracts.honors.commands import AppointDeputySecretary
from shared.contracts.honors.errors import (
    AppointmentConflictError,
    AppointmentNotFoundError,
    InvalidAppointmentError,
)
from shared.domain import Aggregate

ACTIVE, TERM_ENDED, DISMISSED = "active", "term_ended", "dismissed"


class Appointment(Aggregate, stream="appointment", missing=AppointmentNotFoundError):
    student_id: str
    campaign_id: str
    committee: str
    serial: str
    term_starts_on: date
    term_ends_on: date
    status: str
    ended_on: date | None = None

    @classmethod
    def make(
        cls,
        plan: AppointDeputySecretary,
        actor: Actor,
        *,
        held_serial: str | None,
        last_number: int,
        now: datetime,
    ) -> Appointment:
        """``held_serial``: the student's active appointment of the committee, if any;
        ``last_number``: the year's last letter number."""
        if not actor.is_operator:
            raise AppointmentNotFoundError(
                "no such appointment", {"appointment_id": plan.appointment_id}
            )
        if plan.term_ends_on <= plan.term_starts_on:
            raise InvalidAppointmentError(
                "a term must end after it starts", {"field": "term_ends_on"}
            )
        if held_serial is not None:
            raise AppointmentConflictError(
                "the student holds an active appointment of this committee",
                {"serial": held_serial},
            )
        number = last_number + 1
        appointment = cls(plan.appointment_id)
        appointment._record(
            events.AppointmentMade(
                appointment.id,
                letter_serial(now.year, number),
                plan.student_id,
                plan.campaign_id,
                plan.committee,
                plan.term_starts_on,
                plan.term_ends_on,
                now.year,
                number,
                now,
                plan.holder_name,
            )
        )
        return appointment

    def is_active_on(self, day: date) -> bool:
        return self.status == ACTIVE and day <= self.term_ends_on

    def end(self, actor: Actor, reason: str, today: date) -> None:
        """From the term's last day on, the term ends; before it, a dismissal, with a reason."""
        if not actor.is_operator:
            raise AppointmentNotFoundError.for_id(self.serial)
        if self.status != ACTIVE:
            raise AppointmentConflictError(
                f"the appointment has ended already ({self.status})", {"serial": self.serial}
            )
        if today >= self.term_ends_on:
            self._record(events.AppointmentTermEnded(self.id, self.serial, self.term_ends_on))
            return
        if not reason.strip():
            raise InvalidAppointmentError(
                "ending an appointment before its term needs a reason", {"field": "reason"}
            )
        self._record(events.AppointmentDismissed(self.id, self.serial, today, reason))

    def _when_AppointmentMade(self, event: events.AppointmentMade) -> None:
        self.student_id, self.campaign_id = event.student_id, event.campaign_id
        self.committee, self.serial = event.committee, event.serial
        self.term_starts_on, self.term_ends_on = event.term_starts_on, event.term_ends_on
        self.status = ACTIVE

    def _when_AppointmentTermEnded(self, event: events.AppointmentTermEnded) -> None:
        self.status, self.ended_on = TERM_ENDED, event.ended_on

    def _when_AppointmentDismissed(self, event: events.AppointmentDismissed) -> None:
        self.status, self.ended_on = DISMISSED, event.ended_on
