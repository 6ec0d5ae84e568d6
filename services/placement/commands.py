"""What callers ask placement to do (imperative names; values already validated at the edge).

Who asks travels in the unit of work's context (its ``actor``), not in the command.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from services.placement.domain.host_unit import HostUnitProfile
from services.placement.domain.position import PositionPlan
from services.placement.domain.readiness import (
    Completion,
    Evaluation,
    Feedback,
    InsurancePolicy,
    SignedDocument,
    TrainingRecord,
)


@dataclass(frozen=True)
class RegisterHostUnit:
    host_unit_id: str
    profile: HostUnitProfile


@dataclass(frozen=True)
class PostPosition:
    position_id: str
    host_unit_id: str
    campaign_id: str
    plan: PositionPlan


@dataclass(frozen=True)
class ClosePosition:
    position_id: str
    reason: str


@dataclass(frozen=True)
class WithdrawPosition:
    position_id: str
    reason: str


@dataclass(frozen=True)
class AdmitCandidate:
    """Recruitment approved the student (its StudentScreened event ``event_id``)."""

    student_id: str
    campaign_id: str
    event_id: str


@dataclass(frozen=True)
class WithdrawCandidate:
    """The student withdrew in recruitment (its StudentWithdrew event ``event_id``)."""

    student_id: str
    campaign_id: str
    reason: str
    event_id: str


@dataclass(frozen=True)
class OpenSelection:
    campaign_id: str
    opens_at: datetime
    closes_at: datetime
    max_choices: int


@dataclass(frozen=True)
class SubmitRanking:
    campaign_id: str
    student_id: str
    position_ids: tuple[str, ...]


@dataclass(frozen=True)
class RankApplicants:
    position_id: str
    student_ids: tuple[str, ...]
    unacceptable: tuple[str, ...]


@dataclass(frozen=True)
class ProposeMatching:
    round_id: str
    campaign_id: str


@dataclass(frozen=True)
class PublishMatching:
    round_id: str


@dataclass(frozen=True)
class ConfirmOffer:
    placement_id: str


@dataclass(frozen=True)
class DeclineOffer:
    placement_id: str
    reason: str


@dataclass(frozen=True)
class PlaceDirectly:
    placement_id: str
    student_id: str
    position_id: str
    reason: str


@dataclass(frozen=True)
class RecordInsurance:
    placement_id: str
    policy: InsurancePolicy


@dataclass(frozen=True)
class RecordTraining:
    placement_id: str
    training: TrainingRecord


@dataclass(frozen=True)
class SignDocument:
    placement_id: str
    document: SignedDocument


@dataclass(frozen=True)
class StartPlacement:
    placement_id: str
    started_on: date


@dataclass(frozen=True)
class CompletePlacement:
    placement_id: str
    completion: Completion


@dataclass(frozen=True)
class EvaluatePlacement:
    placement_id: str
    evaluation: Evaluation


@dataclass(frozen=True)
class SubmitFeedback:
    placement_id: str
    feedback: Feedback
