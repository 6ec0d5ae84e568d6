"""What a placement needs before it starts, and what is recorded when it ends.

Readiness gates: the host unit's personal accident insurance (人身意外保险) covering the whole
placement period, the student's pre-job training (岗前培训), and the signed practice notice
(实践活动告知书) and confidentiality commitment (保密承诺书).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from services.placement.domain.errors import InsuranceCoverageError, InvalidAssessmentError
from services.placement.domain.position import PlacementPeriod

INSURANCE, TRAINING = "insurance", "training"
PRACTICE_NOTICE, CONFIDENTIALITY_COMMITMENT = "practice_notice", "confidentiality_commitment"
DOCUMENT_KINDS = (PRACTICE_NOTICE, CONFIDENTIALITY_COMMITMENT)
GATES = (INSURANCE, TRAINING, *DOCUMENT_KINDS)
CONTENT_HASH = re.compile(r"sha256:[0-9a-f]{64}")  # the whole value: use fullmatch
MAX_DAYS, MAX_HOURS = 366, 9000


@dataclass(frozen=True)
class InsurancePolicy:
    insurer: str
    policy_number: str
    insured_person: str  # personal data
    covers_from: date
    covers_until: date

    def check_covers(self, period: PlacementPeriod) -> None:
        """The policy must cover every day of the placement, first and last included."""
        if not self.covers_from <= period.starts_on <= period.ends_on <= self.covers_until:
            raise InsuranceCoverageError(
                "the insurance does not cover the whole placement period",
                {
                    "covers_from": self.covers_from.isoformat(),
                    "covers_until": self.covers_until.isoformat(),
                    "starts_on": period.starts_on.isoformat(),
                    "ends_on": period.ends_on.isoformat(),
                },
            )


@dataclass(frozen=True)
class TrainingRecord:
    session: str
    attended_on: date


@dataclass(frozen=True)
class SignedDocument:
    """A document version the student signed, identified by the hash of its content."""

    document_kind: str
    version: str
    content_hash: str  # "sha256:<64 lower-case hex digits>"


@dataclass(frozen=True)
class Completion:
    days_served: int
    hours_served: int

    def check(self) -> None:
        if not 0 <= self.days_served <= MAX_DAYS:
            raise InvalidAssessmentError(
                f"days served are 0 to {MAX_DAYS}", {"field": "days_served"}
            )
        if not 0 <= self.hours_served <= MAX_HOURS:
            raise InvalidAssessmentError(
                f"hours served are 0 to {MAX_HOURS}", {"field": "hours_served"}
            )
        if self.days_served == 0 and self.hours_served == 0:
            raise InvalidAssessmentError(
                "a completed placement has days or hours served", {"field": "days_served"}
            )


@dataclass(frozen=True)
class Evaluation:
    """The host unit's assessment of the student."""

    score: int
    comment: str

    def check(self) -> None:
        if not 0 <= self.score <= 100:
            raise InvalidAssessmentError("a score is 0 to 100", {"field": "score"})


@dataclass(frozen=True)
class Feedback:
    """The student's rating of the placement and suggestions (意见建议)."""

    rating: int
    suggestions: str

    def check(self) -> None:
        if not 1 <= self.rating <= 5:
            raise InvalidAssessmentError("a rating is 1 to 5", {"field": "rating"})
