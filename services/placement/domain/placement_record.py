"""A placement's state as its events build it: status, confirmations, gates, assessments."""

from __future__ import annotations

from datetime import date

from services.placement.domain.readiness import GATES, INSURANCE, TRAINING
from shared.actors import HOST_UNIT, STUDENT
from shared.contracts.placement.errors import PlacementNotFoundError
from shared.contracts.placement.events import (
    DocumentSigned,
    FeedbackSubmitted,
    InsurancePurchased,
    OfferConfirmed,
    OfferDeclined,
    PlacementAgreed,
    PlacementCompleted,
    PlacementEnded,
    PlacementEvaluated,
    PlacementOffered,
    PlacementStarted,
    TrainingCompleted,
)
from shared.domain import Aggregate

OFFERED, AGREED, DECLINED = "offered", "agreed", "declined"
STARTED, COMPLETED, ENDED = "started", "completed", "ended"
SEAT_HOLDING = frozenset({OFFERED, AGREED, STARTED, COMPLETED})
PARTIES = (STUDENT, HOST_UNIT)


class PlacementRecord(Aggregate, stream="placement", missing=PlacementNotFoundError):
    campaign_id: str
    student_id: str
    position_id: str
    host_unit_id: str
    status: str
    started_on: date | None = None
    direct: bool = False
    direct_reason: str = ""
    confirmed_by: tuple[str, ...] = ()
    gates_held: frozenset[str] = frozenset()
    evaluated: bool = False
    feedback_given: bool = False

    @property
    def holds_seat(self) -> bool:
        return self.status in SEAT_HOLDING

    @property
    def gates(self) -> dict[str, bool]:
        return {gate: gate in self.gates_held for gate in GATES}

    @property
    def missing_gates(self) -> list[str]:
        """The gates not yet held, always in the order of GATES."""
        return [gate for gate in GATES if gate not in self.gates_held]

    def _when_PlacementOffered(self, event: PlacementOffered) -> None:
        self._take_part(event.campaign_id, event.student_id, event.position_id, event.host_unit_id)
        self.status = OFFERED

    def _when_OfferConfirmed(self, event: OfferConfirmed) -> None:
        self.confirmed_by = (*self.confirmed_by, event.party)

    def _when_OfferDeclined(self, _event: OfferDeclined) -> None:
        self.status = DECLINED

    def _when_PlacementAgreed(self, event: PlacementAgreed) -> None:
        self._take_part(event.campaign_id, event.student_id, event.position_id, event.host_unit_id)
        self.direct = event.direct
        self.direct_reason = event.reason
        self.status = AGREED

    def _when_InsurancePurchased(self, _event: InsurancePurchased) -> None:
        self.gates_held = self.gates_held | {INSURANCE}

    def _when_TrainingCompleted(self, _event: TrainingCompleted) -> None:
        self.gates_held = self.gates_held | {TRAINING}

    def _when_DocumentSigned(self, event: DocumentSigned) -> None:
        self.gates_held = self.gates_held | {event.document_kind}

    def _when_PlacementStarted(self, event: PlacementStarted) -> None:
        self.status = STARTED
        self.started_on = event.started_on

    def _when_PlacementCompleted(self, _event: PlacementCompleted) -> None:
        self.status = COMPLETED

    def _when_PlacementEvaluated(self, _event: PlacementEvaluated) -> None:
        self.evaluated = True

    def _when_FeedbackSubmitted(self, _event: FeedbackSubmitted) -> None:
        self.feedback_given = True

    def _when_PlacementEnded(self, _event: PlacementEnded) -> None:
        self.status = ENDED

    def _take_part(
        self, campaign_id: str, student_id: str, position_id: str, host_unit_id: str
    ) -> None:
        self.campaign_id = campaign_id
        self.student_id = student_id
        self.position_id = position_id
        self.host_unit_id = host_unit_id
