"""Volunteering's projection: activities, sign-ups and hours as their events describe them
(see ``gateway.core.projection`` for the rules every handler follows).

Every handler sets values, none adds to one: a sign-up replaces its row, a withdrawal sets
its status, a correction sets the new minutes and the ones they replaced. Re-applying a
stretch of the log therefore ends in the same rows.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Connection

from gateway.core.projection import ProjectionHandler, Values, replace_row, set_row
from gateway.volunteering.tables import activities, hours, sign_ups
from shared.events.canonical import format_timestamp


def _activity_scheduled(connection: Connection, values: Values, at: str) -> None:
    row = {
        "activity_id": values["activity_id"],
        "campaign_id": values["campaign_id"],
        "host_unit_id": values["host_unit_id"] or None,
        "title": values["title"],
        "kind": values["kind"],
        "subject": values["subject"] or None,
        "topic": values["topic"] or None,
        "place": values["place"],
        "starts_at": format_timestamp(values["starts_at"]),
        "ends_at": format_timestamp(values["ends_at"]),
        "capacity": values["capacity"],
        "coordinator": values["coordinator"],
        "status": "scheduled",
        "scheduled_at": at,
        "updated_at": at,
    } | dict.fromkeys(
        (
            "cancellation_reason",
            "reschedule_reason",
            "children",
            "residents",
            "sessions",
            "beneficiaries_reported_at",
        )
    )
    replace_row(connection, activities, "activity_id", row)


def _activity_update(change: Callable[[Values, str], Values]) -> ProjectionHandler:
    def apply(connection: Connection, values: Values, at: str) -> None:
        changes = change(values, at)
        set_row(
            connection, activities, "activity_id", values["activity_id"], **changes, updated_at=at
        )

    return apply


def _activity_cancelled(connection: Connection, values: Values, at: str) -> None:
    """The activity is called off and every seat it held is released with it."""
    activity_id = values["activity_id"]
    set_row(
        connection,
        activities,
        "activity_id",
        activity_id,
        status="cancelled",
        cancellation_reason=values["reason"],
        updated_at=at,
    )
    if values["released"]:
        connection.execute(
            sign_ups.update()
            .where(
                sign_ups.c.activity_id == activity_id,
                sign_ups.c.student_id.in_(values["released"]),
            )
            .values(status="released", reason=values["reason"], updated_at=at)
        )


def _signed_up(connection: Connection, values: Values, at: str) -> None:
    """A sign-up replaces any earlier row of the student at the activity (one who withdrew
    may sign up again)."""
    key = {"activity_id": values["activity_id"], "student_id": values["student_id"]}
    connection.execute(sign_ups.delete().filter_by(**key))
    row = key | {"status": "signed_up", "reason": None, "signed_up_at": at, "updated_at": at}
    connection.execute(sign_ups.insert(), row)


def _sign_up_update(status: str, reason: Callable[[Values], str | None]) -> ProjectionHandler:
    def apply(connection: Connection, values: Values, at: str) -> None:
        connection.execute(
            sign_ups.update()
            .filter_by(activity_id=values["activity_id"], student_id=values["student_id"])
            .values(status=status, reason=reason(values), updated_at=at)
        )

    return apply


def _hours_logged(connection: Connection, values: Values, at: str) -> None:
    row = {
        "hours_id": values["hours_id"],
        "activity_id": values["activity_id"],
        "student_id": values["student_id"],
        "campaign_id": values["campaign_id"],
        "minutes": values["minutes"],
        "status": "pending",
        "note": values["note"],
        "logged_at": at,
        "updated_at": at,
    } | dict.fromkeys(
        ("decline_reason", "previous_minutes", "correction_reason", "decided_at", "corrected_at")
    )
    replace_row(connection, hours, "hours_id", row)


def _hours_update(change: Callable[[Values, str], Values]) -> ProjectionHandler:
    def apply(connection: Connection, values: Values, at: str) -> None:
        changes = change(values, at)
        set_row(connection, hours, "hours_id", values["hours_id"], **changes, updated_at=at)

    return apply


PROJECTION: dict[str, ProjectionHandler] = {
    "ActivityScheduled": _activity_scheduled,
    "ActivityRescheduled": _activity_update(
        lambda v, _at: {
            "starts_at": format_timestamp(v["starts_at"]),
            "ends_at": format_timestamp(v["ends_at"]),
            "reschedule_reason": v["reason"],
        }
    ),
    "ActivityCancelled": _activity_cancelled,
    "ActivityCompleted": _activity_update(lambda _v, _at: {"status": "completed"}),
    "BeneficiariesReported": _activity_update(
        lambda v, at: {
            "children": v["children"],
            "residents": v["residents"],
            "sessions": v["sessions"],
            "beneficiaries_reported_at": at,
        }
    ),
    "VolunteerSignedUp": _signed_up,
    "VolunteerWithdrew": _sign_up_update("withdrawn", lambda v: v["reason"]),
    "NoShowRecorded": _sign_up_update("no_show", lambda _v: None),
    "HoursLogged": _hours_logged,
    "HoursApproved": _hours_update(
        lambda v, at: {"status": "approved", "minutes": v["minutes"], "decided_at": at}
    ),
    "HoursDeclined": _hours_update(
        lambda v, at: {"status": "declined", "decline_reason": v["reason"], "decided_at": at}
    ),
    "HoursCorrected": _hours_update(
        lambda v, at: {
            "minutes": v["minutes"],
            "previous_minutes": v["previous_minutes"],
            "correction_reason": v["reason"],
            "corrected_at": at,
        }
    ),
}
