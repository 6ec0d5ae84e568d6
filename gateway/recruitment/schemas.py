"""Recruitment's response bodies and query strings (request bodies are the commands')."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from gateway.core.paging import filter_of, id_filter, page_query, page_response
from gateway.core.schemas import PERSONAL, timestamp
from gateway.placement.schemas import GatesResponse, PlacementResponse
from gateway.recruitment.queries import STUDENT_SORTS
from shared.contracts.fields import Text
from shared.contracts.recruitment.commands import RegisterStudent
from shared.contracts.schemas import StrictSchema

CAMPAIGN_STATUSES = ("draft", "open", "closed")
STUDENT_STATUSES = ("registered", "approved", "rejected", "withdrawn")
MAX_OFFSET = 1_000_000  # a page further on than any season has campaigns; never overflows SQL


class CampaignListQuery(StrictSchema):
    status = fields.String(validate=validate.OneOf(CAMPAIGN_STATUSES))
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_OFFSET))


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
    status = fields.String(required=True, metadata={"enum": list(STUDENT_STATUSES)})
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
    placement = fields.Nested(
        PlacementResponse,
        required=True,
        allow_none=True,
        metadata={"description": "The current placement (agreed, started or completed)."},
    )
    offers = fields.List(
        fields.Nested(PlacementResponse),
        required=True,
        metadata={"description": "Every offer made to the student, newest first."},
    )
    gates = fields.Nested(
        GatesResponse,
        required=True,
        allow_none=True,
        metadata={"description": "The current placement's readiness gates."},
    )


class StudentListItemResponse(RegistrationResponse):
    """A student in a list: the name and phone (operators only read lists), study facts,
    where the student stands; the ID number and the rest are on the student's record."""

    name = fields.String(required=True, metadata=PERSONAL)
    phone = fields.String(required=True, metadata=PERSONAL)
    registered_at = timestamp(required=True)
    updated_at = timestamp(required=True)


StudentListQuery = page_query(
    "StudentListQuery",
    STUDENT_SORTS,
    "registered_at",
    {
        "campaign_id": id_filter(),
        "status": fields.String(validate=validate.OneOf(STUDENT_STATUSES)),
        "university": filter_of(RegisterStudent, "university"),
        "hometown": filter_of(RegisterStudent, "hometown"),
        "channel": filter_of(RegisterStudent, "channel"),
        "q": Text(50, metadata={"description": "A part of the name, in any case."}),
    },
)
StudentPageResponse = page_response("StudentPage", StudentListItemResponse)


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
