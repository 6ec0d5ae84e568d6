"""Recruitment's events, read as volunteering commands.

An approval in screening qualifies the student in that campaign, joining the Spark Alliance
in every campaign, and a withdrawal releases them from the campaign; a rejection asks for
nothing and is skipped.
"""

from __future__ import annotations

from services.volunteering.domain.volunteer import ALLIANCE, SCREENING
from shared.contracts.recruitment.events import AllianceJoined, StudentScreened, StudentWithdrew
from shared.contracts.volunteering.commands import QualifyVolunteer, ReleaseVolunteer

APPROVED = "approved"


def qualification_for(screened: StudentScreened) -> QualifyVolunteer | None:
    if screened.decision != APPROVED:
        return None
    return QualifyVolunteer(
        student_id=screened.student_id, campaign_id=screened.campaign_id, basis=SCREENING
    )


def alliance_qualification_for(joined: AllianceJoined) -> QualifyVolunteer:
    return QualifyVolunteer(
        student_id=joined.student_id, campaign_id=joined.campaign_id, basis=ALLIANCE
    )


def release_for(withdrew: StudentWithdrew) -> ReleaseVolunteer:
    return ReleaseVolunteer(
        student_id=withdrew.student_id, campaign_id=withdrew.campaign_id, reason=withdrew.reason
    )
