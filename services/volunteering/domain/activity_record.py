"""An activity's state as its events build it: what was planned, when, its status, who holds
its seats, and the people it reached."""

from __future__ import annotations

from datetime import datetime

from shared.contracts.volunteering.errors import ActivityNotFoundError
from shared.contracts.volunteering.events import (
    ActivityCancelled,
    ActivityCompleted,
    ActivityRescheduled,
    ActivityScheduled,
    BeneficiariesReported,
    NoShowRecorded,
    VolunteerSignedUp,
    VolunteerWithdrew,
)
from shared.domain import Aggregate

SCHEDULED, CANCELLED, COMPLETED = "scheduled", "cancelled", "completed"
SECONDS_PER_MINUTE = 60


class ActivityRecord(Aggregate, stream="activity", missing=ActivityNotFoundError):
    campaign_id: str
    host_unit_id: str  # empty when the committee runs it
    title: str
    kind: str
    subject: str
    topic: str
    place: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    status: str
    volunteers: frozenset[str] = frozenset()  # signed up: each holds a seat
    no_shows: frozenset[str] = frozenset()
    children: int = 0
    residents: int = 0
    sessions: int = 0

    @property
    def seats_taken(self) -> int:
        return len(self.volunteers)

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds()) // SECONDS_PER_MINUTE

    def has_started(self, now: datetime) -> bool:
        return now >= self.starts_at

    def sign_up_status(self, student_id: str) -> str:
        if student_id in self.volunteers:
            return "signed_up"
        return "no_show" if student_id in self.no_shows else "withdrawn"

    def _when_ActivityScheduled(self, event: ActivityScheduled) -> None:
        self.campaign_id = event.campaign_id
        self.host_unit_id = event.host_unit_id
        self.title, self.kind, self.place = event.title, event.kind, event.place
        self.subject, self.topic = event.subject, event.topic
        self.starts_at, self.ends_at = event.starts_at, event.ends_at
        self.capacity = event.capacity
        self.status = SCHEDULED

    def _when_ActivityRescheduled(self, event: ActivityRescheduled) -> None:
        self.starts_at, self.ends_at = event.starts_at, event.ends_at

    def _when_ActivityCancelled(self, _event: ActivityCancelled) -> None:
        self.status = CANCELLED
        self.volunteers = frozenset()

    def _when_ActivityCompleted(self, _event: ActivityCompleted) -> None:
        self.status = COMPLETED

    def _when_VolunteerSignedUp(self, event: VolunteerSignedUp) -> None:
        self.volunteers = self.volunteers | {event.student_id}

    def _when_VolunteerWithdrew(self, event: VolunteerWithdrew) -> None:
        self.volunteers = self.volunteers - {event.student_id}

    def _when_NoShowRecorded(self, event: NoShowRecorded) -> None:
        self.volunteers = self.volunteers - {event.student_id}
        self.no_shows = self.no_shows | {event.student_id}

    def _when_BeneficiariesReported(self, event: BeneficiariesReported) -> None:
        self.children, self.residents, self.sessions = (
            event.children,
            event.residents,
            event.sessions,
        )
