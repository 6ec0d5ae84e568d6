"""Payload contracts of the recruitment service's events."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.contracts.registry import CONTRACTS, Id, UtcDateTime, personal

CHANNELS = ("organisation", "self")
DECISIONS = ("approved", "rejected")


@CONTRACTS.contract("CampaignCreated", 1)
class CampaignCreatedV1(Schema):
    campaign_id = Id(required=True)
    name = fields.String(required=True)
    year = fields.Integer(required=True)
    season = fields.String(required=True)
    registration_opens_at = UtcDateTime(required=True)
    registration_closes_at = UtcDateTime(required=True)
    scope = fields.String(required=True)
    practice_content = fields.String(required=True)


@CONTRACTS.contract("CampaignOpened", 1)
class CampaignOpenedV1(Schema):
    campaign_id = Id(required=True)


@CONTRACTS.contract("CampaignClosed", 1)
class CampaignClosedV1(Schema):
    campaign_id = Id(required=True)


@CONTRACTS.contract("StudentRegistered", 1)
class StudentRegisteredV1(Schema):
    student_id = Id(required=True)
    campaign_id = Id(required=True)
    name = personal(fields.String(required=True))
    phone = personal(fields.String(required=True))
    id_number = personal(fields.String(required=True))
    university = fields.String(required=True)
    major = fields.String(required=True)
    grade = fields.String(required=True)
    hometown = fields.String(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))


@CONTRACTS.contract("StudentScreened", 1)
class StudentScreenedV1(Schema):
    student_id = Id(required=True)
    campaign_id = Id(required=True)
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    reason = fields.String(required=True)


@CONTRACTS.contract("StudentWithdrew", 1)
class StudentWithdrewV1(Schema):
    student_id = Id(required=True)
    campaign_id = Id(required=True)
    reason = fields.String(required=True)


@CONTRACTS.contract("AllianceJoined", 1)
class AllianceJoinedV1(Schema):
    student_id = Id(required=True)
    campaign_id = Id(required=True)


@CONTRACTS.contract("AllianceLeft", 1)
class AllianceLeftV1(Schema):
    student_id = Id(required=True)
    campaign_id = Id(required=True)
