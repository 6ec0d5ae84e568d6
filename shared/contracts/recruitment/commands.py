"""What callers ask recruitment to do. The gateway validates request bodies with these and
documents them; the recruitment service parses its RPC arguments with them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from marshmallow import fields, validate

from shared.contracts.fields import (
    Id,
    ResidentIdNumber,
    Text,
    UtcDateTime,
    WholeNumber,
    one_of,
    personal,
)
from shared.contracts.records import Command
from shared.contracts.recruitment import errors
from shared.contracts.recruitment.events import CHANNELS, DECISIONS
from shared.privacy.classes import FIELD_CLASSES

MOBILE_PHONE = r"^(\+86)?1[3-9]\d{9}$"

Uuid = Annotated[str, Id()]
NewId = Annotated[
    str, Id(metadata={"format": "uuid", "description": "Optional; generated if absent."})
]
Reason = Annotated[str, Text(2000)]


class CreateCampaign(
    Command, service="recruitment", creates="campaign_id", refusals=(errors.InvalidCampaignError,)
):
    """One season of the Gravity Plan, as an operator plans it."""

    campaign_id: NewId = ""
    name: Annotated[str, Text(120)]
    year: Annotated[int, WholeNumber(validate=validate.Range(min=2000, max=2100))]
    season: Annotated[str, Text(40, metadata={"example": "summer"})]
    registration_opens_at: Annotated[datetime, UtcDateTime()]
    registration_closes_at: Annotated[datetime, UtcDateTime()]
    scope: Annotated[str, Text(2000)]
    practice_content: Annotated[str, Text(4000)]


_ON_CAMPAIGN = (errors.CampaignNotFoundError, errors.CampaignStateError)


class OpenCampaign(Command, service="recruitment", refusals=_ON_CAMPAIGN):
    campaign_id: Uuid


class CloseCampaign(Command, service="recruitment", refusals=_ON_CAMPAIGN):
    campaign_id: Uuid


class RegisterStudent(
    Command,
    service="recruitment",
    creates="student_id",
    refusals=(
        errors.CampaignNotFoundError,
        errors.RegistrationClosedError,
        errors.DuplicateRegistrationError,
    ),
):
    """A registration; personal fields are stored by recruitment and the read models only."""

    student_id: Annotated[
        str,
        Id(
            metadata={
                "format": "uuid",
                "description": "Optional for operators; a student registering itself may "
                "omit it or repeat its own token subject.",
            }
        ),
    ] = ""
    campaign_id: Uuid
    name: Annotated[str, personal(Text(50))]
    phone: Annotated[
        str,
        personal(
            Text(20, validate=validate.Regexp(MOBILE_PHONE, error="not a mainland mobile number"))
        ),
    ]
    id_number: Annotated[str, ResidentIdNumber()]
    university: Annotated[str, Text(120)]
    major: Annotated[str, Text(120)]
    grade: Annotated[str, Text(40)]
    hometown: Annotated[str, Text(120)]
    channel: Annotated[str, one_of(CHANNELS)]


_ON_STUDENT = (errors.StudentNotFoundError, errors.StudentWithdrawnError)


class ScreenStudent(
    Command, service="recruitment", refusals=(*_ON_STUDENT, errors.AlreadyScreenedError)
):
    student_id: Uuid
    decision: Annotated[str, one_of(DECISIONS)]
    reason: Reason


class WithdrawStudent(Command, service="recruitment", refusals=_ON_STUDENT):
    student_id: Uuid
    reason: Reason


_IN_ALLIANCE = (errors.StudentNotFoundError, errors.AllianceMembershipError)


class JoinAlliance(
    Command, service="recruitment", refusals=(*_IN_ALLIANCE, errors.AllianceNotEligibleError)
):
    student_id: Uuid


class LeaveAlliance(Command, service="recruitment", refusals=_IN_ALLIANCE):
    student_id: Uuid


class EraseStudent(
    Command,
    service="recruitment",
    refusals=(errors.StudentNotFoundError, errors.PlacementRunningError),
):
    """Erase a student's personal data (a data-subject request): the keys are destroyed, the
    record's counts and non-personal facts stay. ``reason`` says why, with no personal data.
    ``field_classes`` erases only those classes (the retention schedule's ID number first);
    absent or empty: every class."""

    student_id: Uuid
    reason: Reason
    field_classes: Annotated[
        tuple[str, ...],
        fields.List(
            fields.String(validate=validate.OneOf(FIELD_CLASSES)),
            validate=validate.Length(max=len(FIELD_CLASSES)),
            metadata={"description": f"Some of {', '.join(FIELD_CLASSES)}; absent: all."},
        ),
    ] = ()
