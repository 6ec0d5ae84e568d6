"""What a placement needs before it starts, and what is recorded when it ends.

Readiness gates: the host unit's personal accident insurance (人身意外保险) covering the whole
placement period, the student's pre-job training (岗前培训), and the signed practice notice
(实践活动告知书) and confidentiality commitment (保密承诺书).
"""

from __future__ import annotations

import unicodedata
from datetime import date

from services.placement.domain.position import PlacementPeriod
from shared.contracts.placement.errors import (
    InsuranceCoverageError,
    InsuredPersonError,
    InvalidAssessmentError,
    PlacementPeriodError,
)
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


def check_insured_is(policy: RecordInsurance, registered_name: str | None) -> None:
    """The insured person is the placed student, by the name they registered with (white
    space and Unicode forms aside). The message never repeats either name."""
    if registered_name is None:
        raise InsuredPersonError(
            "placement has not learnt the student's registered name yet; retry in a moment",
            {"field": "insured_person", "reason": "registered_name_not_known_yet"},
        )
    if _comparable(policy.insured_person) != _comparable(registered_name):
        raise InsuredPersonError(
            "the insured person is not the placed student as registered",
            {"field": "insured_person", "reason": "not_the_placed_student"},
        )


def _comparable(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def check_start_within(started_on: date, period: PlacementPeriod, today: date) -> None:
    """A placement starts on a day of its position's period, and not in the future."""
    if not period.starts_on <= started_on <= period.ends_on or started_on > today:
        raise PlacementPeriodError(
            "a placement starts within its position's period, on a day that has come",
            _dates(started_on=started_on, today=today, period=period),
        )


def check_days_served(
    days_served: int, started_on: date, period: PlacementPeriod, today: date
) -> None:
    """Days served fit between the start and today (or the period's end, if earlier)."""
    last_day = min(today, period.ends_on)
    if today < started_on or days_served > (last_day - started_on).days + 1:
        raise PlacementPeriodError(
            "more days served than have passed since the placement started",
            _dates(started_on=started_on, today=today, period=period),
        )


def _dates(*, started_on: date, today: date, period: PlacementPeriod) -> dict[str, str]:
    return {
        "started_on": started_on.isoformat(),
        "today": today.isoformat(),
        "starts_on": period.starts_on.isoformat(),
        "ends_on": period.ends_on.isoformat(),
    }
