"""What callers ask volunteering to do. The gateway validates request bodies with these and
documents them; the volunteering service parses its RPC arguments with them.

A field's own rules are here; rules between fields and over time (a classroom needs a
subject, an activity ends after it starts, hours fit the activity) are the domain's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from shared.contracts.fields import (
    HalfHours,
    Id,
    Text,
    UtcDateTime,
    free_text,
    one_of,
    personal,
    whole_number_in,
)
from shared.contracts.records import Command
from shared.contracts.volunteering import errors
from shared.contracts.volunteering.events import BASES, KINDS, SUBJECTS, TOPICS

OPTIONAL_ID = {"format": "uuid", "description": "Optional; generated if absent."}

Uuid = Annotated[str, Id()]
NewId = Annotated[str, Id(metadata=OPTIONAL_ID)]
Moment = Annotated[datetime, UtcDateTime()]
Reason = Annotated[str, Text(2000)]
Remark = Annotated[str, free_text()]
Hours = Annotated[float, HalfHours(metadata={"example": 2.5})]

_ON_ACTIVITY = (errors.ActivityNotFoundError, errors.ActivityStateError)
_ON_SIGN_UP = (*_ON_ACTIVITY, errors.SignUpConflictError)
_ON_HOURS = (errors.HoursNotFoundError, errors.HoursStateError)


class ScheduleActivity(
    Command,
    service="volunteering",
    creates="activity_id",
    refusals=(errors.InvalidActivityError, errors.ActivityNotFoundError),
):
    """An activity of a campaign: a summer classroom, civilised-city work, a river clean-up,
    a safety talk. An operator schedules any; a host unit its own (``host_unit_id``)."""

    activity_id: NewId = ""
    campaign_id: Uuid
    host_unit_id: Annotated[str, Id(metadata=OPTIONAL_ID | {"description": "Who runs it."})] = ""
    title: Annotated[str, Text(120, metadata={"example": "Paper-cutting for beginners"})]
    kind: Annotated[str, one_of(KINDS)]
    subject: Annotated[str, one_of(("", *SUBJECTS))] = ""
    topic: Annotated[str, one_of(("", *TOPICS))] = ""
    place: Annotated[str, Text(200)]
    starts_at: Moment
    ends_at: Moment
    capacity: Annotated[int, whole_number_in(1, 500)]
    coordinator: Annotated[str, personal(Text(50))]


class RescheduleActivity(
    Command, service="volunteering", refusals=(*_ON_SIGN_UP, errors.InvalidActivityError)
):
    """A new window before the activity starts; refused if it would overlap another activity
    of a volunteer signed up for this one."""

    activity_id: Uuid
    starts_at: Moment
    ends_at: Moment
    reason: Reason


class CancelActivity(Command, service="volunteering", refusals=_ON_ACTIVITY):
    activity_id: Uuid
    reason: Reason


class CompleteActivity(Command, service="volunteering", refusals=_ON_ACTIVITY):
    activity_id: Uuid


class SignUp(
    Command,
    service="volunteering",
    refusals=(*_ON_SIGN_UP, errors.ActivityFullError, errors.NotAVolunteerError),
):
    activity_id: Uuid
    student_id: Uuid


class WithdrawSignUp(Command, service="volunteering", refusals=_ON_SIGN_UP):
    activity_id: Uuid
    student_id: Uuid
    reason: Remark = ""


class RecordNoShow(Command, service="volunteering", refusals=_ON_SIGN_UP):
    activity_id: Uuid
    student_id: Uuid


class LogHours(
    Command,
    service="volunteering",
    creates="hours_id",
    refusals=(*_ON_SIGN_UP, errors.HoursExceedActivityError),
):
    """Hours a volunteer served at an activity they signed up for; pending until decided."""

    hours_id: NewId = ""
    activity_id: Uuid
    student_id: Uuid
    hours: Hours
    note: Remark = ""


class DecideHours(
    Command, service="volunteering", refusals=(*_ON_HOURS, errors.InvalidHoursDecisionError)
):
    """Approve or decline pending hours (the coordinator or an operator); a decline needs a
    reason."""

    hours_id: Uuid
    decision: Annotated[str, one_of(("approved", "declined"))]
    reason: Remark = ""


class CorrectHours(
    Command, service="volunteering", refusals=(*_ON_HOURS, errors.HoursExceedActivityError)
):
    """A new figure for approved hours, with the reason; the old one stays in the log."""

    hours_id: Uuid
    hours: Hours
    reason: Reason


class ReportBeneficiaries(Command, service="volunteering", refusals=_ON_ACTIVITY):
    """How many children were taught, residents reached and sessions held: counts only."""

    activity_id: Uuid
    children: Annotated[int, whole_number_in(0, 100_000)]
    residents: Annotated[int, whole_number_in(0, 1_000_000)]
    sessions: Annotated[int, whole_number_in(0, 1_000)]


class QualifyVolunteer(Command, service="volunteering", exposed=False):
    """From recruitment: approved in a campaign's screening, or joined the alliance."""

    student_id: Uuid
    campaign_id: Uuid
    basis: Annotated[str, one_of(BASES)]


class ReleaseVolunteer(Command, service="volunteering", exposed=False):
    """From recruitment: the student withdrew from a campaign."""

    student_id: Uuid
    campaign_id: Uuid
    reason: Annotated[str, free_text()]
