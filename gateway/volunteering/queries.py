"""What the gateway answers volunteering GETs from; eventually consistent, like every read
model. These queries return whole records (the coordinator's name included); which caller
sees what is the endpoints' business."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gateway.core.section import ReadModelQueries
from gateway.volunteering.report import HOURS_STATUSES, MINUTES_PER_HOUR, volunteering_report
from gateway.volunteering.tables import activities, hours, sign_ups

Row = dict[str, Any]
ACTIVITY_FACTS = ("title", "kind", "subject", "topic", "place", "starts_at", "ends_at")

_TAKEN = (
    sa.select(sign_ups.c.activity_id, sa.func.count().label("seats_taken"))
    .where(sign_ups.c.status == "signed_up")
    .group_by(sign_ups.c.activity_id)
    .subquery()
)
ACTIVITY_QUERY = sa.select(
    activities, sa.func.coalesce(_TAKEN.c.seats_taken, 0).label("seats_taken")
).outerjoin(_TAKEN, _TAKEN.c.activity_id == activities.c.activity_id)


def activity_view(row: Row) -> Row:
    """An activity with its seats left and its beneficiaries (null until reported)."""
    view = dict(row)
    view["seats_left"] = max(row["capacity"] - row["seats_taken"], 0)
    view["beneficiaries"] = (
        None
        if row["beneficiaries_reported_at"] is None
        else {
            "children": row["children"],
            "residents": row["residents"],
            "sessions": row["sessions"],
            "reported_at": row["beneficiaries_reported_at"],
        }
    )
    return view


def hours_view(row: Row) -> Row:
    previous = row["previous_minutes"]
    return dict(row) | {
        "hours": row["minutes"] / MINUTES_PER_HOUR,
        "previous_hours": None if previous is None else previous / MINUTES_PER_HOUR,
    }


class VolunteeringReads(ReadModelQueries):
    """Reads activities, sign-ups and hours; never writes."""

    def _all(self, connection: Connection, query: sa.Select[Any]) -> list[Row]:
        return [dict(row._mapping) for row in connection.execute(query)]

    def activity(self, activity_id: str) -> Row | None:
        """One activity with its seats, beneficiaries and every sign-up (student ids only)."""
        query = ACTIVITY_QUERY.where(activities.c.activity_id == activity_id)
        volunteers = (
            sa.select(sign_ups)
            .where(sign_ups.c.activity_id == activity_id)
            .order_by(sign_ups.c.signed_up_at, sign_ups.c.student_id)
        )
        with self._reading() as connection:
            found = connection.execute(query).first()
            if found is None:
                return None
            view = activity_view(dict(found._mapping))
            view["sign_ups"] = self._all(connection, volunteers)
        return view

    def student_volunteering(self, student_id: str) -> Row:
        """A student's sign-ups (with their activities), hours, and hours by status."""
        signed = (
            sa.select(
                sign_ups.c.activity_id,
                sign_ups.c.status.label("sign_up_status"),
                sign_ups.c.reason,
                sign_ups.c.signed_up_at,
                *(activities.c[name] for name in ACTIVITY_FACTS),
                activities.c.campaign_id,
                activities.c.status.label("activity_status"),
            )
            .join(activities, activities.c.activity_id == sign_ups.c.activity_id)
            .where(sign_ups.c.student_id == student_id)
            .order_by(activities.c.starts_at, activities.c.activity_id)
        )
        logged = (
            sa.select(hours, activities.c.title)
            .outerjoin(activities, activities.c.activity_id == hours.c.activity_id)
            .where(hours.c.student_id == student_id)
            .order_by(hours.c.logged_at, hours.c.hours_id)
        )
        with self._reading() as connection:
            taken = self._all(connection, signed)
            entries = [hours_view(row) for row in self._all(connection, logged)]
        by_status = dict.fromkeys(HOURS_STATUSES, 0.0)
        for entry in entries:
            by_status[entry["status"]] += entry["hours"]
        return {
            "student_id": student_id,
            "activities": taken,
            "hours": entries,
            "hours_by_status": by_status,
            "approved_hours": by_status["approved"],
        }

    def report(self, campaign_id: str) -> Row:
        with self._reading() as connection:
            return volunteering_report(connection, campaign_id)
