"""Response bodies of two-way selection and placements."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from gateway.core.schemas import PERSONAL, day, timestamp

PLACEMENT_STATUSES = ["offered", "agreed", "declined", "started", "completed", "ended"]


def _ids(**kwargs: Any) -> fields.List[Any]:
    return fields.List(fields.UUID(), **kwargs)


class HostUnitResponse(Schema):
    """A host unit; its contact person and phone are answered to operators only."""

    host_unit_id = fields.UUID(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    township = fields.String(required=True)
    contact_person = fields.String(metadata=PERSONAL | {"description": "Operators only."})
    contact_phone = fields.String(metadata=PERSONAL | {"description": "Operators only."})
    registered_at = timestamp()


class PositionResponse(Schema):
    position_id = fields.UUID(required=True)
    host_unit_id = fields.UUID(required=True)
    host_unit_name = fields.String()
    campaign_id = fields.UUID(required=True)
    title = fields.String(required=True)
    duties = fields.String(required=True)
    capacity = fields.Integer(required=True)
    seats_held = fields.Integer(
        metadata={"description": "Held by offered, agreed, started or completed placements."}
    )
    starts_on = day(required=True)
    ends_on = day(required=True)
    place = fields.String(required=True)
    requirements = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": ["open", "closed", "withdrawn"]})
    status_reason = fields.String(allow_none=True)
    posted_at = timestamp()


class SelectionWindowResponse(Schema):
    campaign_id = fields.UUID(required=True)
    opens_at = timestamp(required=True)
    closes_at = timestamp(required=True)
    max_choices = fields.Integer(required=True)


class PositionListResponse(Schema):
    campaign_id = fields.UUID(required=True)
    status = fields.String(required=True)
    selection_window = fields.Nested(SelectionWindowResponse, required=True, allow_none=True)
    positions = fields.List(fields.Nested(PositionResponse), required=True)


class RankingResponse(Schema):
    """A student's choices, most wanted first."""

    campaign_id = fields.UUID(required=True)
    student_id = fields.UUID(required=True)
    position_ids = _ids(required=True)
    submitted_at = timestamp()


class ApplicantResponse(Schema):
    """A student who ranked the position: study facts only, no personal data."""

    student_id = fields.UUID(required=True)
    choice = fields.Integer(required=True, metadata={"description": "1 = first choice."})
    host_rank = fields.Integer(allow_none=True, metadata={"description": "The unit's order."})
    acceptable = fields.Boolean(required=True)
    university = fields.String(allow_none=True)
    major = fields.String(allow_none=True)
    grade = fields.String(allow_none=True)
    hometown = fields.String(allow_none=True)


class ApplicantListResponse(Schema):
    position_id = fields.UUID(required=True)
    applicant_ranking = _ids(required=True)
    unacceptable = _ids(required=True)
    applicants = fields.List(fields.Nested(ApplicantResponse), required=True)


class ApplicantRankingResponse(Schema):
    position_id = fields.UUID(required=True)
    student_ids = _ids(required=True)
    unacceptable = _ids(required=True)


class PairResponse(Schema):
    student_id = fields.UUID(required=True)
    position_id = fields.UUID(required=True)


class MatchingRoundResponse(Schema):
    """A proposal and its stability report: blocking pairs (none when ``stable``)."""

    round_id = fields.UUID(required=True)
    campaign_id = fields.UUID(required=True)
    status = fields.String(metadata={"enum": ["proposed", "published"]})
    assignments = fields.List(fields.Nested(PairResponse), required=True)
    unmatched = _ids(required=True)
    unfilled = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    blocking_pairs = fields.List(fields.Nested(PairResponse), required=True)
    stable = fields.Boolean(required=True)
    proposed_at = timestamp()
    published_at = timestamp(allow_none=True)


class OfferResponse(PairResponse):
    placement_id = fields.UUID(required=True)


class PublicationResponse(Schema):
    round_id = fields.UUID(required=True)
    offers = fields.List(fields.Nested(OfferResponse), required=True)


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
