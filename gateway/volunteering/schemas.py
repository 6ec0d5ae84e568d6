"""Volunteering's response bodies and query string (request bodies are the commands').

Declarations only, one schema per answer of the section's routes: past 200 lines because the
section answers that many shapes, not because anything here has logic.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from gateway.core.schemas import PERSONAL, timestamp
from shared.contracts.volunteering.events import KINDS, SUBJECTS, TOPICS

ACTIVITY_STATUSES = ["scheduled", "completed", "cancelled"]
SIGN_UP_STATUSES = ["signed_up", "withdrawn", "no_show", "released"]
HOURS_STATUSES = ["pending", "approved", "declined"]


class EmptyAsNull(fields.String):
    """Text that is empty when absent (a committee-run activity's host unit, a talk's subject)
    answered as null, in a command's answer and in the read models alike."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value in ("", None) else super()._serialize(value, attr, obj, **kwargs)


def _hours(**kwargs: Any) -> fields.Float:
    return fields.Float(metadata={"description": "In hours (minutes / 60)."}, **kwargs)


class ActivityResponse(Schema):
    activity_id = fields.UUID(required=True)
    campaign_id = fields.UUID(required=True)
    host_unit_id = EmptyAsNull(
        required=True,
        allow_none=True,
        metadata={"format": "uuid", "description": "Null when the committee runs it."},
    )
    title = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": list(KINDS)})
    subject = EmptyAsNull(allow_none=True, metadata={"enum": [*SUBJECTS, None]})
    topic = EmptyAsNull(allow_none=True, metadata={"enum": [*TOPICS, None]})
    place = fields.String(required=True)
    starts_at = timestamp(required=True)
    ends_at = timestamp(required=True)
    capacity = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": ACTIVITY_STATUSES})
    seats_taken = fields.Integer(required=True)
    seats_left = fields.Integer(required=True)


class ActivityChangeResponse(ActivityResponse):
    reason = fields.String()


class CancellationResponse(ActivityChangeResponse):
    released = fields.List(
        fields.UUID(), metadata={"description": "The students whose seats were released."}
    )


class BeneficiariesResponse(Schema):
    """How many people an activity reached: counts only, never anyone's name."""

    activity_id = fields.UUID()
    children = fields.Integer(required=True)
    residents = fields.Integer(required=True)
    sessions = fields.Integer(required=True)
    reported_at = timestamp()


class SignUpResponse(Schema):
    activity_id = fields.UUID(required=True)
    student_id = fields.UUID(required=True)
    status = fields.String(required=True, metadata={"enum": SIGN_UP_STATUSES})
    reason = fields.String(allow_none=True)
    signed_up_at = timestamp()
    seats_taken = fields.Integer()
    seats_left = fields.Integer()


class ActivityDetailResponse(ActivityResponse):
    """An activity; its coordinator and sign-ups are answered to operators and the host unit
    that runs it only."""

    coordinator = fields.String(metadata=PERSONAL | {"description": "Coordinators only."})
    sign_ups = fields.List(
        fields.Nested(SignUpResponse), metadata={"description": "Coordinators only."}
    )
    beneficiaries = fields.Nested(BeneficiariesResponse, required=True, allow_none=True)
    cancellation_reason = fields.String(allow_none=True)
    reschedule_reason = fields.String(allow_none=True)
    scheduled_at = timestamp()
    updated_at = timestamp()


class HoursResponse(Schema):
    hours_id = fields.UUID(required=True)
    activity_id = fields.UUID(required=True)
    student_id = fields.UUID(required=True)
    status = fields.String(required=True, metadata={"enum": HOURS_STATUSES})
    hours = _hours(required=True)
    minutes = fields.Integer(required=True)
    note = fields.String()
    decision = fields.String(metadata={"enum": ["approved", "declined"]})
    reason = fields.String()


class HoursEntryResponse(HoursResponse):
    """Hours as the read models keep them: a correction keeps the figure it replaced."""

    title = fields.String(allow_none=True, metadata={"description": "The activity's title."})
    decline_reason = fields.String(allow_none=True)
    previous_hours = _hours(allow_none=True)
    correction_reason = fields.String(allow_none=True)
    logged_at = timestamp()
    decided_at = timestamp(allow_none=True)
    corrected_at = timestamp(allow_none=True)


class StudentActivityResponse(Schema):
    activity_id = fields.UUID(required=True)
    campaign_id = fields.UUID(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True)
    subject = fields.String(allow_none=True)
    topic = fields.String(allow_none=True)
    place = fields.String(required=True)
    starts_at = timestamp(required=True)
    ends_at = timestamp(required=True)
    activity_status = fields.String(required=True, metadata={"enum": ACTIVITY_STATUSES})
    sign_up_status = fields.String(required=True, metadata={"enum": SIGN_UP_STATUSES})
    reason = fields.String(allow_none=True)
    signed_up_at = timestamp()


class HoursByStatusResponse(Schema):
    pending = _hours(required=True)
    approved = _hours(required=True)
    declined = _hours(required=True)


class StudentVolunteeringResponse(Schema):
    """A student's volunteering: sign-ups, hours entries, hours by status; only approved
    hours count."""

    student_id = fields.UUID(required=True)
    activities = fields.List(fields.Nested(StudentActivityResponse), required=True)
    hours = fields.List(fields.Nested(HoursEntryResponse), required=True)
    hours_by_status = fields.Nested(HoursByStatusResponse, required=True)
    approved_hours = _hours(required=True)


class VolunteeringCountsResponse(Schema):
    activities = fields.Integer(required=True, metadata={"description": "Not cancelled."})
    completed = fields.Integer(required=True)
    volunteers = fields.Integer(
        required=True, metadata={"description": "Students holding a seat (each counted once)."}
    )
    approved_hours = _hours(required=True)
    children = fields.Integer(required=True)
    residents = fields.Integer(required=True)
    sessions = fields.Integer(required=True)


class HoursEntriesResponse(Schema):
    pending = fields.Integer(required=True)
    approved = fields.Integer(required=True)
    declined = fields.Integer(required=True)
    corrected = fields.Integer(required=True, metadata={"description": "Approved, then corrected."})


class VolunteeringTotalsResponse(VolunteeringCountsResponse):
    cancelled = fields.Integer(required=True)
    hours_entries = fields.Nested(HoursEntriesResponse, required=True)


def _breakdown(description: str) -> fields.Dict:
    return fields.Dict(
        keys=fields.String(),
        values=fields.Nested(VolunteeringCountsResponse),
        required=True,
        metadata={"description": description},
    )


class VolunteeringReportResponse(Schema):
    """A campaign's volunteering: cancelled activities count only as ``cancelled``; only
    approved hours count; people reached are the coordinators' latest counts."""

    campaign_id = fields.UUID(required=True)
    totals = fields.Nested(VolunteeringTotalsResponse, required=True)
    by_kind = _breakdown("Per kind of activity.")
    by_subject = _breakdown("Summer classrooms per subject.")
    by_topic = _breakdown("Safety talks per topic.")
    as_of_position = fields.Integer(
        required=True, metadata={"description": "The event-log position the report reflects."}
    )
