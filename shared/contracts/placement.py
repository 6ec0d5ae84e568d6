"""Payload contracts of the placement service: two-way selection, readiness gates, completion."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.contracts.fields import Id, UtcDateTime, personal
from shared.contracts.registry import CONTRACTS

DOCUMENT_KINDS = ("practice_notice", "confidentiality_commitment")
PARTIES = ("student", "host_unit")


class _Text(fields.String):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(required=True, validate=validate.Length(min=1, max=2000), **kwargs)  # type: ignore[arg-type]


@CONTRACTS.contract("HostUnitRegistered", 1)
class HostUnitRegisteredV1(Schema):
    host_unit_id = Id(required=True)
    name = _Text()
    kind = _Text()  # kind of agency, e.g. "district civil affairs bureau"
    township = _Text()
    contact_person = personal(_Text())
    contact_phone = personal(_Text())


@CONTRACTS.contract("PositionPosted", 1)
class PositionPostedV1(Schema):
    position_id = Id(required=True)
    host_unit_id = Id(required=True)
    campaign_id = Id(required=True)
    title = _Text()
    duties = _Text()
    capacity = fields.Integer(required=True, validate=validate.Range(min=1, max=1000))
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    place = _Text()
    requirements = fields.String(required=True)


@CONTRACTS.contract("PositionClosed", 1)
class PositionClosedV1(Schema):
    position_id = Id(required=True)
    reason = fields.String(required=True)


@CONTRACTS.contract("PositionWithdrawn", 1)
class PositionWithdrawnV1(Schema):
    position_id = Id(required=True)
    reason = fields.String(required=True)


@CONTRACTS.contract("CandidateAdmitted", 1)
class CandidateAdmittedV1(Schema):
    """Placement learned (from recruitment's StudentScreened) that the student may take part."""

    student_id = Id(required=True)
    campaign_id = Id(required=True)


@CONTRACTS.contract("CandidateWithdrew", 1)
class CandidateWithdrewV1(Schema):
    student_id = Id(required=True)
    campaign_id = Id(required=True)
    reason = fields.String(required=True)


@CONTRACTS.contract("SelectionWindowOpened", 1)
class SelectionWindowOpenedV1(Schema):
    campaign_id = Id(required=True)
    opens_at = UtcDateTime(required=True)
    closes_at = UtcDateTime(required=True)
    max_choices = fields.Integer(required=True, validate=validate.Range(min=1, max=20))


@CONTRACTS.contract("StudentRankingSubmitted", 1)
class StudentRankingSubmittedV1(Schema):
    student_id = Id(required=True)
    campaign_id = Id(required=True)
    position_ids = fields.List(Id(), required=True)


@CONTRACTS.contract("ApplicantsRanked", 1)
class ApplicantsRankedV1(Schema):
    position_id = Id(required=True)
    host_unit_id = Id(required=True)
    student_ids = fields.List(Id(), required=True)
    unacceptable = fields.List(Id(), required=True)


class _Pair(Schema):
    student_id = Id(required=True)
    position_id = Id(required=True)


@CONTRACTS.contract("MatchingProposed", 1)
class MatchingProposedV1(Schema):
    round_id = Id(required=True)
    campaign_id = Id(required=True)
    assignments = fields.List(fields.Nested(_Pair), required=True)
    unmatched = fields.List(Id(), required=True)
    unfilled = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    blocking_pairs = fields.List(fields.Nested(_Pair), required=True)


@CONTRACTS.contract("MatchingPublished", 1)
class MatchingPublishedV1(Schema):
    round_id = Id(required=True)
    campaign_id = Id(required=True)


@CONTRACTS.contract("PlacementOffered", 1)
class PlacementOfferedV1(Schema):
    placement_id = Id(required=True)
    round_id = Id(required=True)
    campaign_id = Id(required=True)
    student_id = Id(required=True)
    position_id = Id(required=True)
    host_unit_id = Id(required=True)


@CONTRACTS.contract("OfferConfirmed", 1)
class OfferConfirmedV1(Schema):
    placement_id = Id(required=True)
    party = fields.String(required=True, validate=validate.OneOf(PARTIES))


@CONTRACTS.contract("OfferDeclined", 1)
class OfferDeclinedV1(Schema):
    placement_id = Id(required=True)
    party = fields.String(required=True, validate=validate.OneOf(PARTIES))
    reason = fields.String(required=True)


@CONTRACTS.contract("PlacementAgreed", 1)
class PlacementAgreedV1(Schema):
    placement_id = Id(required=True)
    campaign_id = Id(required=True)
    student_id = Id(required=True)
    position_id = Id(required=True)
    host_unit_id = Id(required=True)
    direct = fields.Boolean(required=True)  # true: placed directly by an operator


@CONTRACTS.contract("InsurancePurchased", 1)
class InsurancePurchasedV1(Schema):
    placement_id = Id(required=True)
    insurer = _Text()
    policy_number = _Text()
    insured_person = personal(_Text())
    covers_from = fields.Date(required=True)
    covers_until = fields.Date(required=True)


@CONTRACTS.contract("TrainingCompleted", 1)
class TrainingCompletedV1(Schema):
    placement_id = Id(required=True)
    session = _Text()
    attended_on = fields.Date(required=True)


@CONTRACTS.contract("DocumentSigned", 1)
class DocumentSignedV1(Schema):
    placement_id = Id(required=True)
    document_kind = fields.String(required=True, validate=validate.OneOf(DOCUMENT_KINDS))
    version = _Text()
    content_hash = fields.String(required=True, validate=validate.Regexp(r"^sha256:[0-9a-f]{64}$"))


@CONTRACTS.contract("PlacementStarted", 1)
class PlacementStartedV1(Schema):
    placement_id = Id(required=True)
    started_on = fields.Date(required=True)


@CONTRACTS.contract("PlacementCompleted", 1)
class PlacementCompletedV1(Schema):
    placement_id = Id(required=True)
    days_served = fields.Integer(required=True, validate=validate.Range(min=0, max=366))
    hours_served = fields.Integer(required=True, validate=validate.Range(min=0, max=9000))


@CONTRACTS.contract("PlacementEvaluated", 1)
class PlacementEvaluatedV1(Schema):
    placement_id = Id(required=True)
    score = fields.Integer(required=True, validate=validate.Range(min=0, max=100))
    comment = fields.String(required=True)


@CONTRACTS.contract("FeedbackSubmitted", 1)
class FeedbackSubmittedV1(Schema):
    placement_id = Id(required=True)
    rating = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    suggestions = fields.String(required=True)


@CONTRACTS.contract("PlacementEnded", 1)
class PlacementEndedV1(Schema):
    placement_id = Id(required=True)
    reason = fields.String(required=True)
