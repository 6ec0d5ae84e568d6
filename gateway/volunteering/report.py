"""The volunteering report of one campaign: activities, volunteers, approved hours and the
people reached, per kind, per classroom subject and per safety-talk topic, and in all.

Definitions (also in the OpenAPI document):
* cancelled activities count nowhere but in ``totals.cancelled``;
* a *volunteer* is a student holding a seat (signed up, neither withdrawn nor a no-show) at
  one of the activities counted; in totals each student counts once;
* *approved hours* are the current figures (after corrections) of approved entries; pending
  and declined hours count nowhere but in ``totals.hours_entries``;
* children, residents and sessions are the coordinators' latest reports (counts only).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gateway.core.tables import PROJECTION, checkpoint
from gateway.volunteering.tables import activities, hours, sign_ups

Row = dict[str, Any]
MINUTES_PER_HOUR = 60
HOURS_STATUSES = ("pending", "approved", "declined")
REACHED = ("children", "residents", "sessions")


def _rows(connection: Connection, query: sa.Select[Any]) -> list[Row]:
    return [dict(row._mapping) for row in connection.execute(query)]


@dataclass(frozen=True)
class _Tally:
    """Who holds a seat at each activity, and the approved minutes logged there."""

    volunteers: dict[str, set[str]]
    minutes: dict[str, int]

    def counts(self, group: list[Row]) -> Row:
        """The measures of a group of (not cancelled) activities."""
        ids = [row["activity_id"] for row in group]
        return {
            "activities": len(group),
            "completed": sum(row["status"] == "completed" for row in group),
            "volunteers": len(set().union(*(self.volunteers[i] for i in ids))),
            "approved_hours": round(sum(self.minutes[i] for i in ids) / MINUTES_PER_HOUR, 2),
        } | {name: sum(row[name] or 0 for row in group) for name in REACHED}

    def grouped(self, held: list[Row], by: str) -> dict[str, Row]:
        groups: dict[str, list[Row]] = defaultdict(list)
        for row in held:
            if row[by] is not None:
                groups[row[by]].append(row)
        return {key: self.counts(groups[key]) for key in sorted(groups)}


def volunteering_report(connection: Connection, campaign_id: str) -> Row:
    """The report as of the read models' checkpoint (``as_of_position``)."""
    every = _rows(connection, sa.select(activities).where(activities.c.campaign_id == campaign_id))
    held = [row for row in every if row["status"] != "cancelled"]
    seated = _rows(
        connection,
        sa.select(sign_ups.c.activity_id, sign_ups.c.student_id)
        .join(activities, activities.c.activity_id == sign_ups.c.activity_id)
        .where(activities.c.campaign_id == campaign_id, sign_ups.c.status == "signed_up"),
    )
    volunteers: dict[str, set[str]] = defaultdict(set)
    for row in seated:
        volunteers[row["activity_id"]].add(row["student_id"])
    entries = _rows(connection, sa.select(hours).where(hours.c.campaign_id == campaign_id))
    minutes: dict[str, int] = defaultdict(int)
    for entry in entries:
        if entry["status"] == "approved":
            minutes[entry["activity_id"]] += entry["minutes"]
    tally = _Tally(volunteers, minutes)
    totals = tally.counts(held) | {
        "cancelled": len(every) - len(held),
        "hours_entries": {
            status: sum(entry["status"] == status for entry in entries) for status in HOURS_STATUSES
        }
        | {"corrected": sum(entry["corrected_at"] is not None for entry in entries)},
    }
    position = connection.execute(
        sa.select(checkpoint.c.position).where(checkpoint.c.projection == PROJECTION)
    ).scalar_one()
    return {
        "campaign_id": campaign_id,
        "totals": totals,
        "by_kind": tally.grouped(held, "kind"),
        "by_subject": tally.grouped(held, "subject"),
        "by_topic": tally.grouped(held, "topic"),
        "as_of_position": int(position),
    }
