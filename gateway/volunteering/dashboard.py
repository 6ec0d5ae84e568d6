"""Volunteering's share of the dashboard: the volunteering report (``gateway.dashboard``) and
the seats held; for the history the volunteers (ids, never answered, so that a student who
volunteered twice, or was placed too, counts once) and the approved hours."""

from __future__ import annotations

import sqlalchemy as sa
from marshmallow import fields
from sqlalchemy.engine import Connection

from gateway.core.dashboard import Dashboard, Share
from gateway.volunteering.report import volunteering_report
from gateway.volunteering.schemas import VolunteeringReportResponse
from gateway.volunteering.tables import activities, sign_ups


class VolunteeringDashboardResponse(VolunteeringReportResponse):
    """The volunteering report of the campaign, and the seats its volunteers hold."""

    sign_ups = fields.Integer(
        required=True,
        metadata={
            "description": "Seats held (signed up, neither withdrawn nor a no-show) at the "
            "activities counted; a student at two activities holds two."
        },
    )

    class Meta:
        exclude = ("campaign_id", "as_of_position")


def volunteering_share(connection: Connection, campaign_id: str) -> Share:
    """No stage of its own; its block, and volunteers and approved hours for the history."""
    report = volunteering_report(connection, campaign_id)
    seated = connection.execute(
        sa.select(sign_ups.c.student_id)
        .join(activities, activities.c.activity_id == sign_ups.c.activity_id)
        .where(
            activities.c.campaign_id == campaign_id,
            activities.c.status != "cancelled",
            sign_ups.c.status == "signed_up",
        )
    ).all()
    figures = {
        name: value
        for name, value in report.items()
        if name not in {"campaign_id", "as_of_position"}
    }
    approved_hours = report["totals"]["approved_hours"]
    return Share(
        figures=figures | {"sign_ups": len(seated)},
        history={
            "volunteers": frozenset(row.student_id for row in seated),
            "volunteer_hours": approved_hours,
            "hours": approved_hours,
        },
    )


DASHBOARD = Dashboard(volunteering_share, VolunteeringDashboardResponse)
