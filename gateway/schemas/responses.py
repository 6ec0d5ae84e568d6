"""Response bodies, dumped through these schemas so that the answer is what OpenAPI says."""

from __future__ import annotations

from marshmallow import Schema, fields

from gateway.errors import ERROR_TABLE
from gateway.schemas.fields import PERSONAL, timestamp
from gateway.schemas.placement_responses import GatesResponse, PlacementResponse


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


class PositionCountsResponse(Schema):
    posted = fields.Integer(required=True)
    open = fields.Integer(required=True, metadata={"description": "Open with a free seat."})
    filled = fields.Integer(required=True, metadata={"description": "Every seat taken."})
    closed = fields.Integer(required=True)
    withdrawn = fields.Integer(required=True)


class SeatCountsResponse(Schema):
    capacity = fields.Integer(
        required=True, metadata={"description": "Seats of positions not withdrawn."}
    )
    agreed = fields.Integer(
        required=True, metadata={"description": "Seats held by agreed, started or completed."}
    )


def _rate(description: str) -> fields.Float:
    return fields.Float(required=True, allow_none=True, metadata={"description": description})


class PlacementsReportResponse(Schema):
    """Agreements and readiness of one campaign; rates are fractions of agreements (null
    while there are none), averages are null while nothing was scored."""

    campaign_id = fields.UUID(required=True)
    agreements = fields.Integer(
        required=True, metadata={"description": "Placements that reached agreement."}
    )
    direct_placements = fields.Integer(required=True)
    host_units_involved = fields.Integer(required=True)
    offers_pending = fields.Integer(required=True)
    offers_declined = fields.Integer(required=True)
    started = fields.Integer(required=True)
    completed = fields.Integer(required=True)
    ended = fields.Integer(required=True)
    candidates = fields.Integer(
        required=True, metadata={"description": "Students admitted to the two-way selection."}
    )
    students_ranked = fields.Integer(
        required=True, metadata={"description": "Students who submitted a ranking."}
    )
    candidates_without_agreement = fields.Integer(required=True)
    positions = fields.Nested(PositionCountsResponse, required=True)
    seats = fields.Nested(SeatCountsResponse, required=True)
    insured = fields.Integer(required=True)
    trained = fields.Integer(required=True)
    signed = fields.Integer(required=True, metadata={"description": "Both documents signed."})
    insured_rate = _rate("Insured agreements / agreements.")
    trained_rate = _rate("Trained agreements / agreements.")
    signed_rate = _rate("Agreements with both documents signed / agreements.")
    average_evaluation = _rate("Mean evaluation score (0-100) of evaluated agreements.")
    average_feedback_rating = _rate("Mean feedback rating (1-5).")
    as_of_position = fields.Integer(required=True)


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
