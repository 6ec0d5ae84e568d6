"""What callers ask recruitment to do (imperative names; values already validated at the edge)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class CreateCampaign:
    campaign_id: str
    name: str
    year: int
    season: str
    registration_opens_at: datetime
    registration_closes_at: datetime
    scope: str
    practice_content: str


@dataclass(frozen=True)
class OpenCampaign:
    campaign_id: str


@dataclass(frozen=True)
class CloseCampaign:
    campaign_id: str


@dataclass(frozen=True)
class RegisterStudent:
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
class ScreenStudent:
    student_id: str
    decision: str
    reason: str


@dataclass(frozen=True)
class WithdrawStudent:
    student_id: str
    reason: str


@dataclass(frozen=True)
class JoinAlliance:
    student_id: str


@dataclass(frozen=True)
class LeaveAlliance:
    student_id: str
