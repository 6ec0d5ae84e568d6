"""Who may receive a title in a campaign: a student whose practice there was completed and
evaluated at the title's minimum score or above, and whom the campaign's screening did not
reject."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shared.contracts.honors.errors import NotEligibleError

SCREENING_DECLINED = "screening_declined"
NO_COMPLETED_PRACTICE = "no_completed_practice"
EVALUATION_BELOW_MINIMUM = "evaluation_below_minimum"


@dataclass(frozen=True)
class PracticeFacts:
    placement_id: str
    completed: bool
    score: int | None


@dataclass(frozen=True)
class Eligibility:
    """What is known of one student in one campaign."""

    student_id: str
    campaign_id: str
    practices: Sequence[PracticeFacts]
    screening_declined: bool

    def reasons_against(self, minimum_score: int) -> list[str]:
        reasons = [SCREENING_DECLINED] if self.screening_declined else []
        completed = [practice for practice in self.practices if practice.completed]
        if not completed:
            reasons.append(NO_COMPLETED_PRACTICE)
        elif not any(p.score is not None and p.score >= minimum_score for p in completed):
            reasons.append(EVALUATION_BELOW_MINIMUM)
        return reasons

    def check(self, minimum_score: int) -> None:
        reasons = self.reasons_against(minimum_score)
        if reasons:
            raise NotEligibleError(
                "the student is not eligible for this title in this campaign",
                {
                    "student_id": self.student_id,
                    "campaign_id": self.campaign_id,
                    "minimum_score": minimum_score,
                    "reasons": reasons,
                },
            )
