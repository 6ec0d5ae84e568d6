"""What commands answer: JSON objects, times as canonical UTC text, no personal data (an
activity's coordinator is never answered back). The gateway adds them to the command's own
public fields."""

from __future__ import annotations

from services.volunteering.domain.activity import Activity
from services.volunteering.domain.hours import HoursEntry
from services.volunteering.domain.volunteer import Volunteer
from shared.contracts.records import Result
from shared.kit.handlers import state_view


def activity_view(activity: Activity) -> Result:
    return state_view(
        activity,
        "activity_id",
        "campaign_id",
        "host_unit_id",
        "title",
        "kind",
        "subject",
        "topic",
        "place",
        "starts_at",
        "ends_at",
        "capacity",
        "status",
        "seats_taken",
        "seats_left",
    )


def cancellation_view(activity: Activity, released: list[str]) -> Result:
    return activity_view(activity) | {"released": released}


def sign_up_view(activity: Activity, student_id: str) -> Result:
    return state_view(
        activity,
        "activity_id",
        "seats_taken",
        "seats_left",
        student_id=student_id,
        status=activity.sign_up_status(student_id),
    )


def beneficiaries_view(activity: Activity) -> Result:
    return state_view(activity, "activity_id", "children", "residents", "sessions")


def hours_view(entry: HoursEntry) -> Result:
    return state_view(entry, "hours_id", "activity_id", "student_id", "status", "minutes", "hours")


def volunteer_view(volunteer: Volunteer) -> Result:
    return state_view(
        volunteer,
        "student_id",
        "in_alliance",
        screened_in=sorted(volunteer.screened_in),
        released_from=sorted(volunteer.released_from),
    )
