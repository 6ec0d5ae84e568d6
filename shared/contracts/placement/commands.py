"""What callers ask placement to do about host units, positions, candidates and the two-way
selection (the commands on one placement: ``placements``). The gateway validates request
bodies with these and documents them; the placement service parses its RPC arguments with
them.

A field's own rules (lengths, patterns, ranges) are here; rules between fields (a period that
ends after it starts) are the domain's, answered with its own codes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from marshmallow import fields, validate

from shared.contracts.fields import (
    Id,
    Text,
    UtcDateTime,
    WholeNumber,
    free_text,
    id_list,
    personal,
)
from shared.contracts.placement import errors
from shared.contracts.records import Command

CONTACT_PHONE = r"^\+?[0-9][0-9 -]{4,19}$"
MAX_RANKED = 20
MAX_APPLICANTS = 500  # per list: two full lists of ids stay under the gateway's 64 KB body limit
DEFAULT_MAX_CHOICES = 5
OPTIONAL_ID = {"format": "uuid", "description": "Optional; generated if absent."}

Uuid = Annotated[str, Id()]
NewId = Annotated[str, Id(metadata=OPTIONAL_ID)]
Day = Annotated[date, fields.Date()]
Reason = Annotated[str, Text(2000)]
Remark = Annotated[str, free_text()]


def whole_number_in(low: int, high: int) -> WholeNumber:
    """A JSON integer from ``low`` to ``high``."""
    return WholeNumber(validate=validate.Range(min=low, max=high))


class RegisterHostUnit(
    Command,
    service="placement",
    creates="host_unit_id",
    refusals=(errors.HostUnitNotFoundError,),
):
    """A host unit (government agency); operators register any, a unit only itself."""

    host_unit_id: Annotated[
        str,
        Id(
            metadata={
                "format": "uuid",
                "description": "Optional for operators; a host unit registering itself may "
                "omit it or repeat its own token subject.",
            }
        ),
    ] = ""
    name: Annotated[str, Text(120, metadata={"example": "District Civil Affairs Bureau"})]
    kind: Annotated[str, Text(120, metadata={"example": "district bureau"})]
    township: Annotated[str, Text(120)]
    contact_person: Annotated[str, personal(Text(50))]
    contact_phone: Annotated[
        str,
        personal(Text(20, validate=validate.Regexp(CONTACT_PHONE, error="not a phone number"))),
    ]


class PostPosition(
    Command,
    service="placement",
    creates="position_id",
    refusals=(errors.HostUnitNotFoundError, errors.InvalidPositionError),
):
    position_id: NewId = ""
    host_unit_id: Uuid
    campaign_id: Uuid
    title: Annotated[str, Text(120)]
    duties: Annotated[str, Text(2000)]
    capacity: Annotated[int, whole_number_in(1, 1000)]
    starts_on: Day
    ends_on: Day
    place: Annotated[str, Text(200)]
    requirements: Remark = ""


_ON_POSITION = (errors.PositionNotFoundError, errors.PositionStateError)


class ClosePosition(Command, service="placement", refusals=_ON_POSITION):
    position_id: Uuid
    reason: Reason


class WithdrawPosition(Command, service="placement", refusals=_ON_POSITION):
    position_id: Uuid
    reason: Reason


class AdmitCandidate(Command, service="placement", exposed=False):
    """Recruitment approved the student (its StudentScreened event)."""

    student_id: Uuid
    campaign_id: Uuid


class WithdrawCandidate(Command, service="placement", exposed=False):
    """The student withdrew in recruitment (its StudentWithdrew event)."""

    student_id: Uuid
    campaign_id: Uuid
    reason: Annotated[str, fields.String()]


class OpenSelection(
    Command,
    service="placement",
    refusals=(errors.MatchingRoundNotFoundError, errors.InvalidSelectionWindowError),
):
    campaign_id: Uuid
    opens_at: Annotated[datetime, UtcDateTime()]
    closes_at: Annotated[datetime, UtcDateTime()]
    max_choices: Annotated[int, whole_number_in(1, MAX_RANKED)] = DEFAULT_MAX_CHOICES


class SubmitRanking(
    Command,
    service="placement",
    refusals=(
        errors.CandidateNotEligibleError,
        errors.SelectionClosedError,
        errors.InvalidRankingError,
    ),
):
    campaign_id: Uuid
    student_id: Uuid
    position_ids: Annotated[
        tuple[str, ...],
        id_list(
            MAX_RANKED,
            metadata={"description": "Most wanted first; at most the window's max_choices."},
        ),
    ]


class RankApplicants(
    Command,
    service="placement",
    refusals=(*_ON_POSITION, errors.InvalidRankingError),
):
    position_id: Uuid
    student_ids: Annotated[
        tuple[str, ...], id_list(MAX_APPLICANTS, metadata={"description": "Best first."})
    ]
    unacceptable: Annotated[tuple[str, ...], id_list(MAX_APPLICANTS)] = ()


class ProposeMatching(
    Command,
    service="placement",
    creates="round_id",
    refusals=(
        errors.MatchingRoundNotFoundError,
        errors.SelectionClosedError,
        errors.InvalidPreferencesError,
    ),
):
    round_id: NewId = ""
    campaign_id: Uuid


class PublishMatching(
    Command,
    service="placement",
    refusals=(
        errors.MatchingRoundNotFoundError,
        errors.MatchingRoundStateError,
        errors.SeatUnavailableError,
    ),
):
    round_id: Uuid
