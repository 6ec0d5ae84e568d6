"""Request bodies and query strings: unknown fields, wrong types and bad values are refused."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from gateway.schemas.fields import IdNumber, Text, WholeNumber, personal_text
from shared.contracts.recruitment import CHANNELS, DECISIONS
from shared.contracts.registry import Id, UtcDateTime

CAMPAIGN_STATUSES = ("draft", "open", "closed")
PHONE_PATTERN = r"^(\+86)?1[3-9]\d{9}$"


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class CreateCampaignRequest(StrictSchema):
    """One season of the Gravity Plan, as an operator plans it."""

    campaign_id = Id(metadata={"format": "uuid", "description": "Optional; generated if absent."})
    name = Text(120)
    year = WholeNumber(required=True, validate=validate.Range(min=2000, max=2100))
    season = Text(40, metadata={"example": "summer"})
    registration_opens_at = UtcDateTime(required=True)
    registration_closes_at = UtcDateTime(required=True)
    scope = Text(2000)
    practice_content = Text(4000)

    @validates_schema
    def check_window(self, data: dict[str, Any], **_kwargs: Any) -> None:
        opens, closes = data.get("registration_opens_at"), data.get("registration_closes_at")
        if opens is not None and closes is not None and closes <= opens:
            raise ValidationError(
                "registration must close after it opens", "registration_closes_at"
            )


class RegisterStudentRequest(StrictSchema):
    """A registration; personal fields are stored by recruitment and the read models only."""

    student_id = Id(
        metadata={
            "format": "uuid",
            "description": "Optional for operators; a student registering itself may omit it "
            "or repeat its own token subject.",
        }
    )
    name = personal_text(50)
    phone = personal_text(
        20, validate=validate.Regexp(PHONE_PATTERN, error="not a mainland mobile number")
    )
    id_number = IdNumber()
    university = Text(120)
    major = Text(120)
    grade = Text(40)
    hometown = Text(120)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))


class ScreenStudentRequest(StrictSchema):
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    reason = Text(2000)


class WithdrawStudentRequest(StrictSchema):
    reason = Text(2000)


class EmptyRequest(StrictSchema):
    """Commands that need nothing beyond the path: an empty body or ``{}``."""


class CampaignListQuery(StrictSchema):
    status = fields.String(validate=validate.OneOf(CAMPAIGN_STATUSES))
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))
