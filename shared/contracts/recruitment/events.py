"""What recruitment records and publishes: campaigns, registrations, screening, the alliance."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from marshmallow import fields, validate

from shared.contracts.fields import Id, UtcDateTime, personal
from shared.contracts.records import Event
from shared.privacy.classes import FIELD_CLASSES

CHANNELS = ("organisation", "self")
DECISIONS = ("approved", "rejected")

Uuid = Annotated[str, Id()]
Moment = Annotated[datetime, UtcDateTime()]
Words = Annotated[str, fields.String()]
PersonalWords = Annotated[str, personal(fields.String())]


class CampaignCreated(Event):
    campaign_id: Uuid
    name: Words
    year: Annotated[int, fields.Integer()]
    season: Words
    registration_opens_at: Moment
    registration_closes_at: Moment
    scope: Words
    practice_content: Words


class CampaignOpened(Event):
    campaign_id: Uuid


class CampaignClosed(Event):
    campaign_id: Uuid


class StudentRegistered(Event):
    student_id: Uuid
    campaign_id: Uuid
    name: PersonalWords
    phone: PersonalWords
    id_number: PersonalWords
    university: Words
    major: Words
    grade: Words
    hometown: Words
    channel: Annotated[str, fields.String(validate=validate.OneOf(CHANNELS))]


class StudentScreened(Event):
    student_id: Uuid
    campaign_id: Uuid
    decision: Annotated[str, fields.String(validate=validate.OneOf(DECISIONS))]
    reason: Words


class StudentWithdrew(Event):
    student_id: Uuid
    campaign_id: Uuid
    reason: Words


class AllianceJoined(Event):
    student_id: Uuid
    campaign_id: Uuid


class AllianceLeft(Event):
    student_id: Uuid
    campaign_id: Uuid


FieldClasses = Annotated[
    list[str],
    fields.List(
        fields.String(validate=validate.OneOf(FIELD_CLASSES)),
        validate=validate.Length(min=1, max=len(FIELD_CLASSES)),
    ),
]


class SubjectErased(Event, version=2):
    """A student's personal data was erased (docs/privacy.md): every component destroys its
    keys of ``subject_id`` for ``field_classes`` (every class: the whole subject; version 1
    named none and erased them all); no personal data here, and ``reason`` must hold none."""

    subject_id: Uuid
    campaign_id: Uuid
    reason: Words
    field_classes: FieldClasses
