"""A placement: one student in one position, from the offer (or direct agreement) to its end.

offered -> agreed (both parties confirmed) -> started (every gate held) -> completed;
an offer may be declined, and an open placement ended (the student withdrew, the position
was withdrawn). Offered, agreed, started and completed placements hold a seat.
(The whole life of a placement in one class, a little over 200 lines: its state and replay
are apart, in ``placement_record``.)
"""

from __future__ import annotations

from datetime import date

from services.placement.domain import readiness
from services.placement.domain.document import PublishedDocument
from services.placement.domain.placement_record import (
    AGREED,
    COMPLETED,
    OFFERED,
    PARTIES,
    STARTED,
    PlacementRecord,
)
from services.placement.domain.position import PlacementPeriod, Position
from shared.actors import HOST_UNIT, OPERATOR, STUDENT, Actor
from shared.contracts.placement import events
from shared.contracts.placement import placements as asked
from shared.contracts.placement.errors import (
    DocumentVersionError,
    OfferStateError,
    PlacementNotFoundError,
    PlacementNotReadyError,
)


class Placement(PlacementRecord):
    """Decides on a placement's commands; its state and replay live in PlacementRecord."""

    @classmethod
    def offer(
        cls, placement_id: str, round_id: str, student_id: str, position: Position
    ) -> Placement:
        placement = cls(placement_id)
        placement._record(
            events.PlacementOffered(
                placement_id,
                round_id,
                position.campaign_id,
                student_id,
                position.id,
                position.host_unit_id,
            )
        )
        return placement

    @classmethod
    def place_directly(cls, placement: asked.PlaceDirectly, position: Position) -> Placement:
        """An operator's placement, agreed at once and recorded as direct, with its reason."""
        direct = cls(placement.placement_id)
        direct._record(
            events.PlacementAgreed(
                placement.placement_id,
                position.campaign_id,
                placement.student_id,
                position.id,
                position.host_unit_id,
                direct=True,
                reason=placement.reason,
            )
        )
        return direct

    def check_visible_to(self, actor: Actor, *roles: str) -> None:
        """Each command names the roles that may give it; to anyone else it does not exist."""
        if not actor.may_act_for(
            roles or (OPERATOR, *PARTIES),
            host_unit_id=self.host_unit_id,
            student_id=self.student_id,
        ):
            raise PlacementNotFoundError.for_id(self.id)

    def confirm(self, actor: Actor) -> None:
        """The actor's side confirms the offer; the second confirmation makes it an agreement."""
        party = self._party_of(actor)
        self._check_status(OFFERED)
        if party in self.confirmed_by:
            raise OfferStateError(
                f"the {party} has confirmed already", {"placement_id": self.id, "party": party}
            )
        self._record(events.OfferConfirmed(self.id, party))
        if set(self.confirmed_by) == set(PARTIES):
            self._record(
                events.PlacementAgreed(
                    self.id,
                    self.campaign_id,
                    self.student_id,
                    self.position_id,
                    self.host_unit_id,
                    direct=False,
                    reason="",
                )
            )

    def decline(self, actor: Actor, answer: asked.DeclineOffer) -> None:
        party = self._party_of(actor)
        self._check_status(OFFERED)
        self._record(events.OfferDeclined(self.id, party, answer.reason))

    def record_insurance(
        self,
        actor: Actor,
        policy: asked.RecordInsurance,
        period: PlacementPeriod,
        registered_name: str | None,
    ) -> None:
        """A policy covering the whole period, naming the student as registered."""
        self.check_visible_to(actor, OPERATOR, HOST_UNIT)
        self._check_status(AGREED)
        readiness.check_insurance_covers(policy, period)
        readiness.check_insured_is(policy, registered_name)
        self._record(
            events.InsurancePurchased(
                self.id,
                policy.insurer,
                policy.policy_number,
                policy.insured_person,
                policy.covers_from,
                policy.covers_until,
            )
        )

    def record_training(self, actor: Actor, training: asked.RecordTraining) -> None:
        self.check_visible_to(actor, OPERATOR, HOST_UNIT)
        self._check_status(AGREED)
        self._record(events.TrainingCompleted(self.id, training.session, training.attended_on))

    def sign(
        self, actor: Actor, document: asked.SignDocument, published: PublishedDocument | None
    ) -> None:
        """The student (or an operator) signs a published version, naming it by its hash."""
        self.check_visible_to(actor, OPERATOR, STUDENT)
        self._check_status(AGREED)
        if published is None:
            raise DocumentVersionError(
                "no such published version of the document",
                {"document_kind": document.document_kind, "version": document.version},
            )
        published.check_signed_as(document)
        self._record(
            events.DocumentSigned(
                self.id, document.document_kind, document.version, document.content_hash
            )
        )

    def start(
        self, actor: Actor, start: asked.StartPlacement, period: PlacementPeriod, today: date
    ) -> None:
        """Once every gate is held, on a day of the position's period that has come."""
        self.check_visible_to(actor, OPERATOR, HOST_UNIT)
        self._check_status(AGREED)
        missing = self.missing_gates
        if missing:
            raise PlacementNotReadyError(
                f"the placement cannot start without: {', '.join(missing)}", {"missing": missing}
            )
        readiness.check_start_within(start.started_on, period, today)
        self._record(events.PlacementStarted(self.id, start.started_on))

    def complete(
        self, actor: Actor, served: asked.CompletePlacement, period: PlacementPeriod, today: date
    ) -> None:
        """After the start, with no more days served than have passed within the period."""
        self.check_visible_to(actor, OPERATOR, HOST_UNIT)
        self._check_status(STARTED)
        readiness.check_served(served.days_served, served.hours_served)
        assert self.started_on is not None, "a started placement knows its start"
        readiness.check_days_served(served.days_served, self.started_on, period, today)
        self._record(events.PlacementCompleted(self.id, served.days_served, served.hours_served))

    def evaluate(self, actor: Actor, evaluation: asked.EvaluatePlacement) -> None:
        """The host unit's assessment, once."""
        self.check_visible_to(actor, OPERATOR, HOST_UNIT)
        self._check_status(COMPLETED)
        if self.evaluated:
            raise OfferStateError("the placement has been evaluated", {"placement_id": self.id})
        self._record(events.PlacementEvaluated(self.id, evaluation.score, evaluation.comment))

    def submit_feedback(self, actor: Actor, feedback: asked.SubmitFeedback) -> None:
        """The student's rating and suggestions (意见建议), once."""
        self.check_visible_to(actor, OPERATOR, STUDENT)
        self._check_status(COMPLETED)
        if self.feedback_given:
            raise OfferStateError("feedback has been given already", {"placement_id": self.id})
        self._record(events.FeedbackSubmitted(self.id, feedback.rating, feedback.suggestions))

    def end(self, reason: str) -> bool:
        """End an open placement (offered, agreed or started), freeing its seat; a placement
        already declined, completed or ended is left as it is."""
        if self.status not in (OFFERED, AGREED, STARTED):
            return False
        self._record(events.PlacementEnded(self.id, reason))
        return True

    def _party_of(self, actor: Actor) -> str:
        self.check_visible_to(actor, OPERATOR, *PARTIES)
        if actor.is_operator:
            raise OfferStateError(
                "only the student or the host unit answers an offer; "
                "an operator places a student directly instead",
                {"placement_id": self.id},
            )
        return STUDENT if actor.is_student(self.student_id) else HOST_UNIT

    def _check_status(self, expected: str) -> None:
        if self.status != expected:
            raise OfferStateError(
                f"the placement is {self.status}, not {expected}",
                {"placement_id": self.id, "status": self.status},
            )
