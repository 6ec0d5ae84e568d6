"""Placement's share of the dashboard: the placements report (``gateway.dashboard``), and for
the history the students placed and the host units reached (ids, never answered), so that
each counts once over a year's campaigns and over the years."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gateway.core.dashboard import Dashboard, Share
from gateway.placement.report import placements_report
from gateway.placement.schemas import PlacementsReportResponse
from gateway.placement.tables import placements


class PlacementDashboardResponse(PlacementsReportResponse):
    """The placements report of the campaign."""

    class Meta:
        exclude = ("campaign_id", "as_of_position")


def placement_share(connection: Connection, campaign_id: str) -> Share:
    """Placed (agreements), started and completed; host units involved and positions posted
    (not withdrawn). History: agreements, placed students, host units, practice hours."""
    report = placements_report(connection, campaign_id)
    agreed = connection.execute(
        sa.select(
            placements.c.student_id, placements.c.host_unit_id, placements.c.hours_served
        ).where(placements.c.campaign_id == campaign_id, placements.c.agreed_at.is_not(None))
    ).all()
    positions = report["positions"]["posted"] - report["positions"]["withdrawn"]
    practice_hours = sum(row.hours_served or 0 for row in agreed)
    figures = {
        name: value
        for name, value in report.items()
        if name not in {"campaign_id", "as_of_position"}
    }
    return Share(
        stages={
            "placed": report["agreements"],
            "started": report["started"],
            "completed": report["completed"],
            "host_units": report["host_units_involved"],
            "positions": positions,
        },
        figures=figures,
        history={
            "placed": report["agreements"],
            "volunteers": frozenset(row.student_id for row in agreed),
            "host_units": frozenset(row.host_unit_id for row in agreed),
            "positions": positions,
            "practice_hours": practice_hours,
            "hours": practice_hours,
        },
    )


DASHBOARD = Dashboard(placement_share, PlacementDashboardResponse)
