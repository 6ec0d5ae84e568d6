"""Placement's and recruitment's events, read as honours commands: what honours keeps to say
who is eligible for a title. A screening approval asks for nothing and is skipped."""

from __future__ import annotations

from shared.contracts.honors.commands import (
    NotePractice,
    NotePracticeCompleted,
    NotePracticeEvaluated,
    NoteScreeningDeclined,
)
from shared.contracts.placement.events import (
    PlacementAgreed,
    PlacementCompleted,
    PlacementEvaluated,
)
from shared.contracts.recruitment.events import StudentScreened

REJECTED = "rejected"


def practice_for(agreed: PlacementAgreed) -> NotePractice:
    return NotePractice(
        placement_id=agreed.placement_id,
        student_id=agreed.student_id,
        campaign_id=agreed.campaign_id,
    )


def completion_for(completed: PlacementCompleted) -> NotePracticeCompleted:
    return NotePracticeCompleted(placement_id=completed.placement_id)


def evaluation_for(evaluated: PlacementEvaluated) -> NotePracticeEvaluated:
    return NotePracticeEvaluated(placement_id=evaluated.placement_id, score=evaluated.score)


def decline_for(screened: StudentScreened) -> NoteScreeningDeclined | None:
    if screened.decision != REJECTED:
        return None
    return NoteScreeningDeclined(student_id=screened.student_id, campaign_id=screened.campaign_id)
