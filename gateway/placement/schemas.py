"""Response bodies of placements and of the placements report (host units, positions and
the two-way selection: ``selection_schemas``)."""

from __future__ import annotations

from marshmallow import Schema, fields

from gateway.core.schemas import day, timestamp

PLACEMENT_STATUSES = ["offered", "agreed", "declined", "started", "completed", "ended"]


class GatesResponse(Schema):
    """The four readiness gates; a placement starts only when all are true."""

    insurance = fields.Boolean(required=True)
    training = fields.Boolean(required=True)
    practice_notice = fields.Boolean(required=True)
    confidentiality_commitment = fields.Boolean(required=True)


class InsuranceResponse(Schema):
    insurer = fields.String(required=True)
    policy_number = fields.String(required=True)
    covers_from = day(required=True)
    covers_until = day(required=True)


class TrainingResponse(Schema):
    session = fields.String(required=True)
    attended_on = day(required=True)


class SignedDocumentResponse(Schema):
    version = fields.String(required=True)
    content_hash = fields.String(required=True)
    signed_at = timestamp()


class EvaluationResponse(Schema):
    score = fields.Integer(required=True)
    comment = fields.String(required=True)


class FeedbackResponse(Schema):
    rating = fields.Integer(required=True)
    suggestions = fields.String(required=True)


class PlacementResponse(Schema):
    placement_id = fields.UUID(required=True)
    campaign_id = fields.UUID(required=True)
    round_id = fields.UUID(allow_none=True)
    student_id = fields.UUID(required=True)
    position_id = fields.UUID(required=True)
    host_unit_id = fields.UUID(required=True)
    position_title = fields.String(allow_none=True)
    host_unit_name = fields.String(allow_none=True)
    status = fields.String(required=True, metadata={"enum": PLACEMENT_STATUSES})
    direct = fields.Boolean(required=True)
    direct_reason = fields.String(
        allow_none=True,
        metadata={
            "description": "Why an operator placed the student directly; null for a placement "
            "agreed by both parties."
        },
    )
    confirmed_by = fields.List(fields.String(), required=True)
    declined_by = fields.String(allow_none=True)
    decline_reason = fields.String(allow_none=True)
    gates = fields.Nested(GatesResponse, required=True)
    insurance = fields.Nested(InsuranceResponse, allow_none=True)
    training = fields.Nested(TrainingResponse, allow_none=True)
    documents = fields.Dict(keys=fields.String(), values=fields.Nested(SignedDocumentResponse))
    started_on = day(allow_none=True)
    days_served = fields.Integer(allow_none=True)
    hours_served = fields.Integer(allow_none=True)
    evaluation = fields.Nested(EvaluationResponse, allow_none=True)
    feedback = fields.Nested(FeedbackResponse, allow_none=True)
    end_reason = fields.String(allow_none=True)
    offered_at = timestamp(allow_none=True)
    agreed_at = timestamp(allow_none=True)
    updated_at = timestamp()


class StudentOffersResponse(Schema):
    student_id = fields.UUID(required=True)
    offers = fields.List(fields.Nested(PlacementResponse), required=True)


class HostUnitPlacementsResponse(Schema):
    host_unit_id = fields.UUID(required=True)
    placements = fields.List(fields.Nested(PlacementResponse), required=True)


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


class DocumentVersionResponse(Schema):
    """A published version of a document students sign, with its text."""

    document_kind = fields.String(
        required=True, metadata={"enum": ["practice_notice", "confidentiality_commitment"]}
    )
    version = fields.String(required=True)
    content_hash = fields.String(required=True, metadata={"pattern": "^sha256:[0-9a-f]{64}$"})
    text = fields.String()
    published_at = timestamp()


class DocumentListResponse(Schema):
    documents = fields.List(fields.Nested(DocumentVersionResponse), required=True)
