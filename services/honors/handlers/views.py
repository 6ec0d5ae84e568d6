"""What commands answer: JSON objects, times and days as canonical text, no personal data (a
holder's name and a diary's display name are never answered back)."""

from __future__ import annotations

from services.honors.domain.appointment import Appointment
from services.honors.domain.award import Award
from services.honors.domain.consent import Consents
from services.honors.domain.diary import Diary
from services.honors.domain.practice import Candidate, Practice
from services.honors.domain.recommendation import Recommendation
from services.honors.domain.titles import Title
from shared.contracts.records import Result
from shared.kit.handlers import state_view


def title_view(title: Title) -> Result:
    return state_view(title, "title_code", "name", "quota", "minimum_score")


def award_view(award: Award) -> Result:
    return state_view(
        award,
        "award_id",
        "student_id",
        "campaign_id",
        "title_code",
        "status",
        "serial",
        "issued_at",
        "revoked_at",
    )


def appointment_view(appointment: Appointment) -> Result:
    return state_view(
        appointment,
        "appointment_id",
        "serial",
        "student_id",
        "campaign_id",
        "committee",
        "term_starts_on",
        "term_ends_on",
        "status",
        "ended_on",
    )


def consent_view(consents: Consents, purpose: str) -> Result:
    return state_view(consents, "student_id", purpose=purpose, given=purpose in consents.given)


def recommendation_view(recommendation: Recommendation) -> Result:
    return state_view(recommendation, "recommendation_id", "student_id", "campaign_id")


def diary_view(diary: Diary) -> Result:
    return state_view(diary, "diary_id", "student_id", "campaign_id", "featured")


def practice_view(practice: Practice) -> Result:
    return state_view(practice, "placement_id", "student_id", "campaign_id", "completed", "score")


def candidate_view(candidate: Candidate) -> Result:
    return state_view(candidate, "student_id", declined_in=sorted(candidate.declined_in))
