"""Recruitment's events, read as placement commands.

An approval (StudentScreened with decision "approved") and a withdrawal matter here; a
rejection asks for nothing and is skipped. A registration is not consumed: placement asks
recruitment for a registered name when it checks a policy (``registered_names``).
"""

from __future__ import annotations

from shared.contracts.placement.commands import (
    AdmitCandidate,
    WithdrawCandidate,
)
from shared.contracts.recruitment.events import StudentScreened, StudentWithdrew

APPROVED = "approved"


def admission_for(screened: StudentScreened) -> AdmitCandidate | None:
    """An approved student becomes a candidate of the campaign's two-way selection."""
    if screened.decision != APPROVED:
        return None
    return AdmitCandidate(student_id=screened.student_id, campaign_id=screened.campaign_id)


def withdrawal_for(withdrew: StudentWithdrew) -> WithdrawCandidate:
    return WithdrawCandidate(
        student_id=withdrew.student_id, campaign_id=withdrew.campaign_id, reason=withdrew.reason
    )
