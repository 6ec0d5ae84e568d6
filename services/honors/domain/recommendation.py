"""A recommendation (推优): an operator sends the student's second-classroom transcript to
their university, with the transcript's SHA-256, only under a current ``university_report``
consent."""

from __future__ import annotations

from services.honors.domain.consent import Consents
from services.honors.domain.rights import check_operator
from shared.actors import Actor
from shared.contracts.honors.commands import SendRecommendation
from shared.contracts.honors.errors import HonoreeNotFoundError
from shared.contracts.honors.events import UNIVERSITY_REPORT, RecommendationSent
from shared.domain import Aggregate


class Recommendation(Aggregate, stream="recommendation"):
    student_id: str
    campaign_id: str

    @classmethod
    def send(cls, sending: SendRecommendation, actor: Actor, consents: Consents) -> Recommendation:
        check_operator(actor, HonoreeNotFoundError.for_id(sending.student_id))
        consents.check_given(UNIVERSITY_REPORT)
        recommendation = cls(sending.recommendation_id)
        recommendation._record(
            RecommendationSent(
                recommendation.id,
                sending.student_id,
                sending.campaign_id,
                sending.university,
                sending.transcript_hash,
            )
        )
        return recommendation

    def _when_RecommendationSent(self, event: RecommendationSent) -> None:
        self.student_id, self.campaign_id = event.student_id, event.campaign_id
