"""What callers ask placement to do about one placement: place a student directly, answer an
offer, then the practice itself: the readiness gates (insurance, training, signed documents),
the start, the completion and both sides' assessments. As in ``commands``, a field's own
rules are here and those between fields are the domain's.
"""

from __future__ import annotations

from typing import Annotated

from marshmallow import fields, validate

from shared.contracts.fields import Text, one_of, personal
from shared.contracts.placement import errors
from shared.contracts.placement.commands import Day, NewId, Reason, Remark, Uuid, whole_number_in
from shared.contracts.placement.events import CONTENT_HASH, DOCUMENT_KINDS
from shared.contracts.records import Command


class PlaceDirectly(
    Command,
    service="placement",
    creates="placement_id",
    refusals=(
        errors.PositionNotFoundError,
        errors.CandidateNotEligibleError,
        errors.SeatUnavailableError,
        errors.PositionStateError,
    ),
):
    """An operator places an approved student who holds no placement (agreed at once)."""

    placement_id: NewId = ""
    student_id: Uuid
    position_id: Uuid
    reason: Reason


_ON_PLACEMENT = (errors.PlacementNotFoundError, errors.OfferStateError)


class ConfirmOffer(Command, service="placement", refusals=_ON_PLACEMENT):
    placement_id: Uuid


class DeclineOffer(Command, service="placement", refusals=_ON_PLACEMENT):
    placement_id: Uuid
    reason: Reason


class RecordInsurance(
    Command,
    service="placement",
    refusals=(*_ON_PLACEMENT, errors.InsuranceCoverageError, errors.InsuredPersonError),
):
    """The host unit's personal accident insurance for the student (人身意外保险); the
    insured person is the placed student, by the name they registered with."""

    placement_id: Uuid
    insurer: Annotated[str, Text(120)]
    policy_number: Annotated[str, Text(64)]
    insured_person: Annotated[str, personal(Text(50))]
    covers_from: Day
    covers_until: Day


class RecordTraining(Command, service="placement", refusals=_ON_PLACEMENT):
    placement_id: Uuid
    session: Annotated[str, Text(200)]
    attended_on: Day


class SignDocument(
    Command, service="placement", refusals=(*_ON_PLACEMENT, errors.DocumentVersionError)
):
    """The practice notice or the confidentiality commitment: a published version, named by
    its version and content hash."""

    placement_id: Uuid
    document_kind: Annotated[str, one_of(DOCUMENT_KINDS)]
    version: Annotated[str, Text(40)]
    content_hash: Annotated[
        str,
        fields.String(
            # The length too: a pattern's "$" would let a trailing newline through.
            validate=[
                validate.Regexp(CONTENT_HASH, error="must be sha256:<64 lowercase hex>"),
                validate.Length(equal=len("sha256:") + 64),
            ]
        ),
    ]


class StartPlacement(
    Command,
    service="placement",
    refusals=(*_ON_PLACEMENT, errors.PlacementNotReadyError, errors.PlacementPeriodError),
):
    placement_id: Uuid
    started_on: Day


class CompletePlacement(
    Command,
    service="placement",
    refusals=(*_ON_PLACEMENT, errors.InvalidAssessmentError, errors.PlacementPeriodError),
):
    placement_id: Uuid
    days_served: Annotated[int, whole_number_in(0, 366)]
    hours_served: Annotated[int, whole_number_in(0, 9000)]


class EvaluatePlacement(Command, service="placement", refusals=_ON_PLACEMENT):
    """The host unit's assessment of the student."""

    placement_id: Uuid
    score: Annotated[int, whole_number_in(0, 100)]
    comment: Remark = ""


class SubmitFeedback(Command, service="placement", refusals=_ON_PLACEMENT):
    """The student's rating of the placement and suggestions (意见建议)."""

    placement_id: Uuid
    rating: Annotated[int, whole_number_in(1, 5)]
    suggestions: Remark = ""
