"""What volunteering records and publishes: activities and their seats, hours, and how many
people an activity reached (counts only: no field can hold a child's or a resident's name).

Payload rules are lenient on purpose (the commands hold the strict ones): a stored event must
stay readable even after a command's rule is tightened.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from marshmallow import fields

from shared.contracts.fields import Id, UtcDateTime, personal
from shared.contracts.records import Event

KINDS = ("classroom", "civilised_city", "river_cleanup", "safety_talk", "other")
SUBJECTS = ("painting", "paper_cutting", "calligraphy", "music", "other")  # classrooms
TOPICS = ("drowning_prevention", "sanitation", "other")  # safety talks
BASES = ("screening", "alliance")  # why a student may volunteer

Uuid = Annotated[str, Id()]
Moment = Annotated[datetime, UtcDateTime()]
Words = Annotated[str, fields.String()]
Count = Annotated[int, fields.Integer()]


class ActivityScheduled(Event):
    activity_id: Uuid
    campaign_id: Uuid
    host_unit_id: Words  # empty when the committee runs it
    title: Words
    kind: Words
    subject: Words  # classrooms only, else empty
    topic: Words  # safety talks only, else empty
    place: Words
    starts_at: Moment
    ends_at: Moment
    capacity: Count
    coordinator: Annotated[str, personal(fields.String())]


class ActivityRescheduled(Event):
    activity_id: Uuid
    starts_at: Moment
    ends_at: Moment
    reason: Words


class ActivityCancelled(Event):
    """Every sign-up is released with the activity (``released``: the students)."""

    activity_id: Uuid
    reason: Words
    released: Annotated[list[str], fields.List(Id())]


class ActivityCompleted(Event):
    activity_id: Uuid


class VolunteerQualified(Event):
    """Recruitment approved the student in a campaign, or the student joined the alliance."""

    student_id: Uuid
    campaign_id: Uuid
    basis: Words


class VolunteerReleased(Event):
    """The student withdrew from a campaign: no longer a volunteer there."""

    student_id: Uuid
    campaign_id: Uuid
    reason: Words


class VolunteerSignedUp(Event):
    activity_id: Uuid
    student_id: Uuid


class VolunteerWithdrew(Event):
    activity_id: Uuid
    student_id: Uuid
    reason: Words


class NoShowRecorded(Event):
    activity_id: Uuid
    student_id: Uuid


class HoursLogged(Event):
    hours_id: Uuid
    activity_id: Uuid
    student_id: Uuid
    campaign_id: Uuid
    minutes: Count
    note: Words


class HoursApproved(Event):
    hours_id: Uuid
    minutes: Count


class HoursDeclined(Event):
    hours_id: Uuid
    reason: Words


class HoursCorrected(Event):
    """A new figure for approved hours, never an edit of the old one: both stay in the log."""

    hours_id: Uuid
    minutes: Count
    previous_minutes: Count
    reason: Words


class BeneficiariesReported(Event):
    """Counts only; a later report replaces an earlier one."""

    activity_id: Uuid
    children: Count
    residents: Count
    sessions: Count
