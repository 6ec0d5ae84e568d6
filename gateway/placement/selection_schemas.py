"""Response bodies and the query string of host units, positions and the two-way selection:
rankings on both sides, matching rounds and their publication."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from gateway.core.schemas import PERSONAL, day, timestamp

POSITION_STATUSES = ("open", "closed", "withdrawn")


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
    status = fields.String(required=True, metadata={"enum": list(POSITION_STATUSES)})
    status_reason = fields.String(allow_none=True)
    posted_at = timestamp()


class SelectionWindowResponse(Schema):
    campaign_id = fields.UUID(required=True)
    opens_at = timestamp(required=True)
    closes_at = timestamp(required=True)
    max_choices = fields.Integer(required=True)


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
