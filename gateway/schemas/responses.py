"""Response bodies, dumped through these schemas so that the answer is what OpenAPI says."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from gateway.errors import ERROR_TABLE
from gateway.schemas.fields import PERSONAL


def timestamp(**kwargs: Any) -> fields.String:
    """A UTC timestamp, ``YYYY-MM-DDTHH:MM:SS.ffffffZ``."""
    return fields.String(metadata={"format": "date-time"}, **kwargs)


def counts_field() -> fields.Dict:
    return fields.Dict(keys=fields.String(), values=fields.Nested(CountsResponse))


class CampaignStatusResponse(Schema):
    campaign_id = fields.UUID(required=True)
    status = fields.String(required=True, metadata={"enum": ["draft", "open", "closed"]})


class CampaignSummaryResponse(CampaignStatusResponse):
    name = fields.String(required=True)
    year = fields.Integer(required=True)
    season = fields.String(required=True)


class CampaignResponse(CampaignSummaryResponse):
    registration_opens_at = timestamp(required=True)
    registration_closes_at = timestamp(required=True)
    scope = fields.String(required=True)
    practice_content = fields.String(required=True)
    created_at = timestamp()
    updated_at = timestamp()


class CampaignListResponse(Schema):
    campaigns = fields.List(fields.Nested(CampaignResponse), required=True)
    total = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)


class StudentStateResponse(Schema):
    student_id = fields.UUID(required=True)
    campaign_id = fields.UUID(required=True)
    status = fields.String(
        required=True, metadata={"enum": ["registered", "approved", "rejected", "withdrawn"]}
    )
    in_alliance = fields.Boolean(required=True)


class RegistrationResponse(StudentStateResponse):
    university = fields.String(required=True)
    major = fields.String(required=True)
    grade = fields.String(required=True)
    hometown = fields.String(required=True)
    channel = fields.String(required=True)


class ScreeningResponse(Schema):
    decision = fields.String(required=True, metadata={"enum": ["approved", "rejected"]})
    reason = fields.String(required=True)
    screened_at = timestamp(required=True)


class StudentProfileResponse(RegistrationResponse):
    """The full record, personal data included: only the student or an operator reads it."""

    name = fields.String(required=True, metadata=PERSONAL)
    phone = fields.String(required=True, metadata=PERSONAL)
    id_number = fields.String(required=True, metadata=PERSONAL)
    campaign = fields.Nested(CampaignSummaryResponse, required=True, allow_none=True)
    screening = fields.Nested(ScreeningResponse, allow_none=True, required=True)
    withdrawal_reason = fields.String(allow_none=True)
    registered_at = timestamp(required=True)
    updated_at = timestamp(required=True)


class CountsResponse(Schema):
    registered = fields.Integer(required=True)
    approved = fields.Integer(required=True)
    rejected = fields.Integer(required=True)
    withdrawn = fields.Integer(required=True)


class CampaignReportResponse(CountsResponse):
    """The campaign's counts overall (top level) and broken down three ways."""

    campaign_id = fields.UUID(required=True)
    by_university = counts_field()
    by_hometown = counts_field()
    by_channel = counts_field()
    as_of_position = fields.Integer(
        required=True, metadata={"description": "The event-log position the report reflects."}
    )


class ErrorResponse(Schema):
    error = fields.String(
        required=True, metadata={"enum": sorted({row.code for row in ERROR_TABLE})}
    )
    message = fields.String(required=True)
    details = fields.Dict(required=True)


class HealthResponse(Schema):
    status = fields.String(required=True)


class ReadinessResponse(HealthResponse):
    checks = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    read_model_position = fields.Integer(allow_none=True)
