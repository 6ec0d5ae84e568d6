"""What callers ask honours to do. The gateway validates request bodies with these and
documents them; the honours service parses its RPC arguments with them.

A field's own rules are here; rules between fields and over time (a term ends after it
starts, a quota, who is eligible, which consent a step needs) are the domain's. Past 200
lines, because the kit gives a service one ``commands`` module and these are declarations
only (one class per command, no logic).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from marshmallow import fields, validate

from shared.contracts.fields import (
    Flag,
    Id,
    Text,
    free_text,
    one_of,
    personal,
    whole_number_in,
)
from shared.contracts.honors import errors
from shared.contracts.honors.events import DEFAULT_TITLE, PURPOSES
from shared.contracts.records import Command

OPTIONAL_ID = {"format": "uuid", "description": "Optional; generated if absent."}
TITLE_CODE = r"^[A-Z]{2,8}\Z"
SERIAL = r"^[A-Z]{2,8}-[0-9]{4}-[0-9]{4,6}\Z"
SHA256 = r"^sha256:[0-9a-f]{64}\Z"

Uuid = Annotated[str, Id()]
NewId = Annotated[str, Id(metadata=OPTIONAL_ID)]
Day = Annotated[date, fields.Date()]
Reason = Annotated[str, Text(2000)]
HolderName = Annotated[
    str, personal(Text(50, metadata={"description": "The name printed on the document."}))
]
TitleCode = Annotated[
    str,
    fields.String(
        validate=validate.Regexp(TITLE_CODE, error="2 to 8 capital letters"),
        metadata={"example": DEFAULT_TITLE},
    ),
]
Serial = Annotated[
    str,
    fields.String(
        validate=validate.Regexp(SERIAL, error="not a serial number"),
        metadata={"example": "ADV-2023-0001"},
    ),
]

_ON_AWARD = (errors.AwardNotFoundError, errors.AwardStateError)
_ON_DIARY = (errors.DiaryNotFoundError, errors.ConsentRequiredError)


class DefineTitle(Command, service="honors", refusals=(errors.InvalidTitleError,)):
    """A title and its rules, or new rules for one (an operator). ``ADV``, the advanced
    individual (先进个人), exists from the start: 10 a campaign, evaluation 80 or more."""

    title_code: TitleCode
    name: Annotated[str, Text(60, metadata={"example": "先进个人"})]
    quota: Annotated[int, whole_number_in(1, 1000)]
    minimum_score: Annotated[int, whole_number_in(0, 100)]


class NominateForAward(
    Command,
    service="honors",
    creates="award_id",
    refusals=(errors.AwardNotFoundError, errors.TitleNotFoundError, errors.NotEligibleError),
):
    """An operator nominates a student for a title in a campaign, with a citation."""

    award_id: NewId = ""
    student_id: Uuid
    campaign_id: Uuid
    title_code: TitleCode = DEFAULT_TITLE
    citation: Annotated[str, Text(1000)]
    holder_name: HolderName


class GrantAward(
    Command,
    service="honors",
    refusals=(*_ON_AWARD, errors.NotEligibleError, errors.QuotaExceededError),
):
    """Grant a nominated award: its certificate is issued with the next serial number."""

    award_id: Uuid


class RevokeCertificate(
    Command, service="honors", refusals=(errors.CertificateNotFoundError, errors.AwardStateError)
):
    serial: Serial
    reason: Reason


class AppointDeputySecretary(
    Command,
    service="honors",
    creates="appointment_id",
    refusals=(
        errors.AppointmentNotFoundError,
        errors.InvalidAppointmentError,
        errors.AppointmentConflictError,
    ),
):
    """An operator appoints a student part-time deputy secretary (兼职副书记) of a township or
    street Youth League committee for a term; the letter gets the year's next serial."""

    appointment_id: NewId = ""
    student_id: Uuid
    campaign_id: Uuid
    committee: Annotated[str, Text(100, metadata={"example": "城关镇团委"})]
    term_starts_on: Day
    term_ends_on: Day
    holder_name: HolderName


class EndAppointment(
    Command,
    service="honors",
    refusals=(
        errors.AppointmentNotFoundError,
        errors.InvalidAppointmentError,
        errors.AppointmentConflictError,
    ),
):
    """End an appointment: at or after its term's end it ends; before, it is an early
    dismissal and needs a reason."""

    serial: Serial
    reason: Annotated[str, free_text()] = ""


class RecordConsent(Command, service="honors", refusals=(errors.HonoreeNotFoundError,)):
    """A student gives (``given: true``) or withdraws their consent for a purpose; an operator
    may record it for them. Withdrawing ``showcase`` takes their diaries out of it."""

    student_id: Uuid
    purpose: Annotated[str, one_of(PURPOSES)]
    given: Annotated[bool, Flag()]


class SendRecommendation(
    Command,
    service="honors",
    creates="recommendation_id",
    refusals=(errors.HonoreeNotFoundError, errors.ConsentRequiredError),
):
    """An operator sends the student's transcript to their university (needs the student's
    ``university_report`` consent); the caller renders it and sends its SHA-256."""

    recommendation_id: NewId = ""
    student_id: Uuid
    campaign_id: Uuid
    university: Annotated[str, Text(100)]
    transcript_hash: Annotated[
        str, fields.String(validate=validate.Regexp(SHA256, error="must be sha256:<64 hex>"))
    ]


class SubmitDiary(
    Command,
    service="honors",
    creates="diary_id",
    refusals=(errors.HonoreeNotFoundError, errors.DiaryNotFoundError, errors.InvalidDiaryError),
):
    """A student's practice diary entry, with the name they choose to be shown by."""

    diary_id: NewId = ""
    student_id: Uuid
    campaign_id: Uuid
    title: Annotated[str, Text(120)]
    text: Annotated[str, free_text(10_000)]
    display_name: Annotated[str, personal(Text(50))]


class FeatureDiary(Command, service="honors", refusals=_ON_DIARY):
    """An operator puts a diary in the showcase (needs the student's ``showcase`` consent)."""

    diary_id: Uuid


class NotePractice(Command, service="honors", exposed=False):
    """From placement: a student's practice in a campaign was agreed."""

    placement_id: Uuid
    student_id: Uuid
    campaign_id: Uuid


class NotePracticeCompleted(Command, service="honors", exposed=False):
    placement_id: Uuid


class NotePracticeEvaluated(Command, service="honors", exposed=False):
    placement_id: Uuid
    score: Annotated[int, whole_number_in(0, 100)]


class NoteScreeningDeclined(Command, service="honors", exposed=False):
    """From recruitment: the campaign's screening rejected the student."""

    student_id: Uuid
    campaign_id: Uuid
