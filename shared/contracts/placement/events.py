"""What placement records and publishes: host units and positions, two-way selection,
placements, their readiness gates and their completion.

Payload rules are lenient on purpose (the commands hold the strict ones): a stored event must
stay readable even after a command's rule is tightened. (23 declarations and nothing else: a
little over 200 lines, kept in one list so that a reader sees every fact placement records.)
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from marshmallow import Schema, fields, validate

from shared.contracts.fields import Id, UtcDateTime, personal
from shared.contracts.records import Event

DOCUMENT_KINDS = ("practice_notice", "confidentiality_commitment")
PARTIES = ("student", "host_unit")
CONTENT_HASH = r"^sha256:[0-9a-f]{64}$"

Uuid = Annotated[str, Id()]
Ids = Annotated[list[str], fields.List(Id())]
Day = Annotated[date, fields.Date()]
Moment = Annotated[datetime, UtcDateTime()]
Words = Annotated[str, fields.String(validate=validate.Length(min=1, max=2000))]
PersonalWords = Annotated[str, personal(fields.String(validate=validate.Length(min=1, max=2000)))]
Prose = Annotated[str, fields.String()]
Party = Annotated[str, fields.String(validate=validate.OneOf(PARTIES))]


def _count(low: int, high: int) -> fields.Integer:
    return fields.Integer(validate=validate.Range(min=low, max=high))


class PairSchema(Schema):
    """A student and the position they are matched to (or would rather have)."""

    student_id = Id(required=True)
    position_id = Id(required=True)


Pairs = Annotated[list[dict[str, str]], fields.List(fields.Nested(PairSchema))]


class HostUnitRegistered(Event):
    host_unit_id: Uuid
    name: Words
    kind: Words  # kind of agency, e.g. "district civil affairs bureau"
    township: Words
    contact_person: PersonalWords
    contact_phone: PersonalWords


class PositionPosted(Event):
    position_id: Uuid
    host_unit_id: Uuid
    campaign_id: Uuid
    title: Words
    duties: Words
    capacity: Annotated[int, _count(1, 1000)]
    starts_on: Day
    ends_on: Day
    place: Words
    requirements: Prose


class PositionClosed(Event):
    position_id: Uuid
    reason: Prose


class PositionWithdrawn(Event):
    position_id: Uuid
    reason: Prose


class CandidateAdmitted(Event):
    """Placement learned (from recruitment's StudentScreened) that the student may take part."""

    student_id: Uuid
    campaign_id: Uuid


class CandidateWithdrew(Event):
    student_id: Uuid
    campaign_id: Uuid
    reason: Prose


class SelectionWindowOpened(Event):
    campaign_id: Uuid
    opens_at: Moment
    closes_at: Moment
    max_choices: Annotated[int, _count(1, 20)]


class StudentRankingSubmitted(Event):
    student_id: Uuid
    campaign_id: Uuid
    position_ids: Ids


class ApplicantsRanked(Event):
    position_id: Uuid
    host_unit_id: Uuid
    student_ids: Ids
    unacceptable: Ids


class MatchingProposed(Event):
    round_id: Uuid
    campaign_id: Uuid
    assignments: Pairs
    unmatched: Ids
    unfilled: Annotated[dict[str, int], fields.Dict(keys=fields.String(), values=fields.Integer())]
    blocking_pairs: Pairs


class MatchingPublished(Event):
    round_id: Uuid
    campaign_id: Uuid


class PlacementOffered(Event):
    placement_id: Uuid
    round_id: Uuid
    campaign_id: Uuid
    student_id: Uuid
    position_id: Uuid
    host_unit_id: Uuid


class OfferConfirmed(Event):
    placement_id: Uuid
    party: Party


class OfferDeclined(Event):
    placement_id: Uuid
    party: Party
    reason: Prose


class PlacementAgreed(Event, version=2):
    """Both parties confirmed an offer, or an operator placed the student directly (``direct``)
    for ``reason`` (empty for an agreement of both parties). Version 1 had no reason."""

    placement_id: Uuid
    campaign_id: Uuid
    student_id: Uuid
    position_id: Uuid
    host_unit_id: Uuid
    direct: Annotated[bool, fields.Boolean()]
    reason: Prose


class InsurancePurchased(Event):
    placement_id: Uuid
    insurer: Words
    policy_number: Words
    insured_person: PersonalWords
    covers_from: Day
    covers_until: Day


class TrainingCompleted(Event):
    placement_id: Uuid
    session: Words
    attended_on: Day


class DocumentSigned(Event):
    placement_id: Uuid
    document_kind: Annotated[str, fields.String(validate=validate.OneOf(DOCUMENT_KINDS))]
    version: Words
    content_hash: Annotated[str, fields.String(validate=validate.Regexp(CONTENT_HASH))]


class PlacementStarted(Event):
    placement_id: Uuid
    started_on: Day


class PlacementCompleted(Event):
    placement_id: Uuid
    days_served: Annotated[int, _count(0, 366)]
    hours_served: Annotated[int, _count(0, 9000)]


class PlacementEvaluated(Event):
    placement_id: Uuid
    score: Annotated[int, _count(0, 100)]
    comment: Prose


class FeedbackSubmitted(Event):
    placement_id: Uuid
    rating: Annotated[int, _count(1, 5)]
    suggestions: Prose


class PlacementEnded(Event):
    placement_id: Uuid
    reason: Prose
