"""Recruitment's events, read as placement commands.

A registration's name (to check insurance policies against), an approval (StudentScreened
with decision "approved") and a withdrawal matter here; a rejection asks for nothing and is
skipped.
"""

from __future__ import annotations

from shared.contracts.placement.commands import (
    AdmitCandidate,
    NoteRegisteredName,
    WithdrawCandidate,
)
from shared.contracts.recruitment.events import StudentRegistered, StudentScreened, StudentWithdrew

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


def name_for(registered: StudentRegistered) -> NoteRegisteredName:
    """The name as it came: sealed, kept so until a policy is checked against it."""
    return NoteRegisteredName(student_id=registered.student_id, name=registered.name)
