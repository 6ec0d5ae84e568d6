"""What happened in placement; payload contracts live in shared.contracts.placement.

Field names and types follow the contracts exactly: dates are ``datetime.date``, moments are
aware ``datetime``. List fields stay lists because that is how a contract loads them back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from shared.domain import EventClasses


@dataclass(frozen=True)
class HostUnitRegistered:
    host_unit_id: str
    name: str
    kind: str
    township: str
    contact_person: str
    contact_phone: str


@dataclass(frozen=True)
class PositionPosted:
    position_id: str
    host_unit_id: str
    campaign_id: str
    title: str
    duties: str
    capacity: int
    starts_on: date
    ends_on: date
    place: str
    requirements: str


@dataclass(frozen=True)
class PositionClosed:
    position_id: str
    reason: str


@dataclass(frozen=True)
class PositionWithdrawn:
    position_id: str
    reason: str


@dataclass(frozen=True)
class CandidateAdmitted:
    student_id: str
    campaign_id: str


@dataclass(frozen=True)
class CandidateWithdrew:
    student_id: str
    campaign_id: str
    reason: str


@dataclass(frozen=True)
class SelectionWindowOpened:
    campaign_id: str
    opens_at: datetime
    closes_at: datetime
    max_choices: int


@dataclass(frozen=True)
class StudentRankingSubmitted:
    student_id: str
    campaign_id: str
    position_ids: list[str]


@dataclass(frozen=True)
class ApplicantsRanked:
    position_id: str
    host_unit_id: str
    student_ids: list[str]
    unacceptable: list[str]


@dataclass(frozen=True)
class MatchingProposed:
    round_id: str
    campaign_id: str
    assignments: list[dict[str, str]]  # {"student_id", "position_id"}
    unmatched: list[str]
    unfilled: dict[str, int]
    blocking_pairs: list[dict[str, str]]


@dataclass(frozen=True)
class MatchingPublished:
    round_id: str
    campaign_id: str


@dataclass(frozen=True)
class PlacementOffered:
    placement_id: str
    round_id: str
    campaign_id: str
    student_id: str
    position_id: str
    host_unit_id: str


@dataclass(frozen=True)
class OfferConfirmed:
    placement_id: str
    party: str


@dataclass(frozen=True)
class OfferDeclined:
    placement_id: str
    party: str
    reason: str


@dataclass(frozen=True)
class PlacementAgreed:
    placement_id: str
    campaign_id: str
    student_id: str
    position_id: str
    host_unit_id: str
    direct: bool


@dataclass(frozen=True)
class InsurancePurchased:
    placement_id: str
    insurer: str
    policy_number: str
    insured_person: str
    covers_from: date
    covers_until: date


@dataclass(frozen=True)
class TrainingCompleted:
    placement_id: str
    session: str
    attended_on: date


@dataclass(frozen=True)
class DocumentSigned:
    placement_id: str
    document_kind: str
    version: str
    content_hash: str


@dataclass(frozen=True)
class PlacementStarted:
    placement_id: str
    started_on: date


@dataclass(frozen=True)
class PlacementCompleted:
    placement_id: str
    days_served: int
    hours_served: int


@dataclass(frozen=True)
class PlacementEvaluated:
    placement_id: str
    score: int
    comment: str


@dataclass(frozen=True)
class FeedbackSubmitted:
    placement_id: str
    rating: int
    suggestions: str


@dataclass(frozen=True)
class PlacementEnded:
    placement_id: str
    reason: str


PLACEMENT_EVENTS = EventClasses.of(
    HostUnitRegistered,
    PositionPosted,
    PositionClosed,
    PositionWithdrawn,
    CandidateAdmitted,
    CandidateWithdrew,
    SelectionWindowOpened,
    StudentRankingSubmitted,
    ApplicantsRanked,
    MatchingProposed,
    MatchingPublished,
    PlacementOffered,
    OfferConfirmed,
    OfferDeclined,
    PlacementAgreed,
    InsurancePurchased,
    TrainingCompleted,
    DocumentSigned,
    PlacementStarted,
    PlacementCompleted,
    PlacementEvaluated,
    FeedbackSubmitted,
    PlacementEnded,
)
