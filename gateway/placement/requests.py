"""Request bodies of two-way selection and placements: strict, like every request schema."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from gateway.schemas.fields import Text, WholeNumber, personal_text
from gateway.schemas.requests import StrictSchema
from shared.contracts.placement import DOCUMENT_KINDS
from shared.contracts.registry import Id, UtcDateTime

POSITION_STATUSES = ("open", "closed", "withdrawn")
CONTACT_PHONE = r"^\+?[0-9][0-9 -]{4,19}$"
CONTENT_HASH = r"^sha256:[0-9a-f]{64}$"
MAX_RANKED = 20
OPTIONAL_ID = {"format": "uuid", "description": "Optional; generated if absent."}


def _after(data: dict[str, Any], first: str, last: str, *, strictly: bool = False) -> None:
    begins: date | datetime | None = data.get(first)
    ends: date | datetime | None = data.get(last)
    if begins is None or ends is None:
        return
    if ends < begins or (strictly and ends == begins):
        raise ValidationError(f"must be after {first}", last)


def _free_text(**kwargs: Any) -> fields.String:
    return fields.String(load_default="", validate=validate.Length(max=2000), **kwargs)


class RegisterHostUnitRequest(StrictSchema):
    """A host unit (government agency); operators register any, a unit only itself."""

    host_unit_id = Id(
        metadata={
            "format": "uuid",
            "description": "Optional for operators; a host unit registering itself may omit it "
            "or repeat its own token subject.",
        }
    )
    name = Text(120, metadata={"example": "District Civil Affairs Bureau"})
    kind = Text(120, metadata={"example": "district bureau"})
    township = Text(120)
    contact_person = personal_text(50)
    contact_phone = personal_text(
        20, validate=validate.Regexp(CONTACT_PHONE, error="not a phone number")
    )


class PostPositionRequest(StrictSchema):
    position_id = Id(metadata=OPTIONAL_ID)
    campaign_id = Id(required=True)
    title = Text(120)
    duties = Text(2000)
    capacity = WholeNumber(required=True, validate=validate.Range(min=1, max=1000))
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    place = Text(200)
    requirements = _free_text()

    @validates_schema
    def check_period(self, data: dict[str, Any], **_kwargs: Any) -> None:
        _after(data, "starts_on", "ends_on")


class ReasonRequest(StrictSchema):
    reason = Text(2000)


class OpenSelectionRequest(StrictSchema):
    opens_at = UtcDateTime(required=True)
    closes_at = UtcDateTime(required=True)
    max_choices = WholeNumber(load_default=5, validate=validate.Range(min=1, max=MAX_RANKED))

    @validates_schema
    def check_window(self, data: dict[str, Any], **_kwargs: Any) -> None:
        _after(data, "opens_at", "closes_at", strictly=True)


class SubmitRankingRequest(StrictSchema):
    position_ids = fields.List(
        Id(),
        required=True,
        validate=validate.Length(max=MAX_RANKED),
        metadata={"description": "Most wanted first; at most the window's max_choices."},
    )


class RankApplicantsRequest(StrictSchema):
    student_ids = fields.List(
        Id(),
        required=True,
        validate=validate.Length(max=10_000),
        metadata={"description": "Best first."},
    )
    unacceptable = fields.List(Id(), load_default=list, validate=validate.Length(max=10_000))


class DirectPlacementRequest(StrictSchema):
    placement_id = Id(metadata=OPTIONAL_ID)
    student_id = Id(required=True)
    position_id = Id(required=True)
    reason = Text(2000)


class InsuranceRequest(StrictSchema):
    insurer = Text(120)
    policy_number = Text(64)
    insured_person = personal_text(50)
    covers_from = fields.Date(required=True)
    covers_until = fields.Date(required=True)

    @validates_schema
    def check_cover(self, data: dict[str, Any], **_kwargs: Any) -> None:
        _after(data, "covers_from", "covers_until")


class TrainingRequest(StrictSchema):
    session = Text(200)
    attended_on = fields.Date(required=True)


class SignDocumentRequest(StrictSchema):
    document_kind = fields.String(required=True, validate=validate.OneOf(DOCUMENT_KINDS))
    version = Text(40)
    content_hash = fields.String(
        required=True,
        validate=validate.Regexp(CONTENT_HASH, error="must be sha256:<64 lowercase hex>"),
    )


class StartPlacementRequest(StrictSchema):
    started_on = fields.Date(required=True)


class CompletePlacementRequest(StrictSchema):
    days_served = WholeNumber(required=True, validate=validate.Range(min=0, max=366))
    hours_served = WholeNumber(required=True, validate=validate.Range(min=0, max=9000))


class EvaluatePlacementRequest(StrictSchema):
    score = WholeNumber(required=True, validate=validate.Range(min=0, max=100))
    comment = _free_text()


class FeedbackRequest(StrictSchema):
    rating = WholeNumber(required=True, validate=validate.Range(min=1, max=5))
    suggestions = _free_text()


class PositionListQuery(StrictSchema):
    status = fields.String(load_default="open", validate=validate.OneOf(POSITION_STATUSES))
