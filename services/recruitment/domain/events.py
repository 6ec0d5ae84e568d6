"""What happened in recruitment; payload contracts live in shared.contracts.recruitment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.domain import EventClasses


@dataclass(frozen=True)
class CampaignCreated:
    campaign_id: str
    name: str
    year: int
    season: str
    registration_opens_at: datetime
    registration_closes_at: datetime
    scope: str
    practice_content: str


@dataclass(frozen=True)
class CampaignOpened:
    campaign_id: str


@dataclass(frozen=True)
class CampaignClosed:
    campaign_id: str


@dataclass(frozen=True)
class StudentRegistered:
    student_id: str
    campaign_id: str
    name: str
    phone: str
    id_number: str
    university: str
    major: str
    grade: str
    hometown: str
    channel: str


@dataclass(frozen=True)
class StudentScreened:
    student_id: str
    campaign_id: str
    decision: str
    reason: str


@dataclass(frozen=True)
class StudentWithdrew:
    student_id: str
    campaign_id: str
    reason: str


@dataclass(frozen=True)
class AllianceJoined:
    student_id: str
    campaign_id: str


@dataclass(frozen=True)
class AllianceLeft:
    student_id: str
    campaign_id: str


RECRUITMENT_EVENTS = EventClasses.of(
    CampaignCreated,
    CampaignOpened,
    CampaignClosed,
    StudentRegistered,
    StudentScreened,
    StudentWithdrew,
    AllianceJoined,
    AllianceLeft,
)
