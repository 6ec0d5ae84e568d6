"""What a placement needs before it starts, and what is recorded when it ends.

Readiness gates: the host unit's personal accident insurance (人身意外保险) covering the whole
placement period, the student's pre-job training (岗前培训), and the signed practice notice
(实践活动告知书) and confidentiality commitment (保密承诺书).
"""

from __future__ import annotations

from services.placement.domain.position import PlacementPeriod
from shared.contracts.placement.errors import InsuranceCoverageError, InvalidAssessmentError
from shared.contracts.placement.events import DOCUMENT_KINDS
from shared.contracts.placement.placements import RecordInsurance

INSURANCE, TRAINING = "insurance", "training"
GATES = (INSURANCE, TRAINING, *DOCUMENT_KINDS)


def check_insurance_covers(policy: RecordInsurance, period: PlacementPeriod) -> None:
    """The policy must cover every day of the placement, first and last included."""
    if not policy.covers_from <= period.starts_on <= period.ends_on <= policy.covers_until:
        raise InsuranceCoverageError(
            "the insurance does not cover the whole placement period",
            {
                "covers_from": policy.covers_from.isoformat(),
                "covers_until": policy.covers_until.isoformat(),
                "starts_on": period.starts_on.isoformat(),
                "ends_on": period.ends_on.isoformat(),
            },
        )


def check_served(days_served: int, hours_served: int) -> None:
    """A completed placement has days or hours served (each one's range is the contract's)."""
    if days_served == 0 and hours_served == 0:
        raise InvalidAssessmentError(
            "a completed placement has days or hours served", {"field": "days_served"}
        )
