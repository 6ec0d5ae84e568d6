"""Recruitment's share of the dashboard: the campaign report's counts (``gateway.dashboard``)."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from gateway.core.dashboard import Dashboard, Share
from gateway.recruitment.queries import registration_counts
from gateway.recruitment.schemas import CampaignReportResponse


class RecruitmentDashboardResponse(CampaignReportResponse):
    """The campaign report's counts, overall and broken down three ways."""

    class Meta:
        exclude = ("campaign_id", "as_of_position")


def recruitment_share(connection: Connection, campaign_id: str) -> Share:
    """Registered and approved students (the first stages); every registration in history."""
    counts = registration_counts(connection, campaign_id)
    return Share(
        stages={"registered": counts["registered"], "approved": counts["approved"]},
        figures=counts,
        history={"registered": counts["registered"]},
    )


DASHBOARD = Dashboard(recruitment_share, RecruitmentDashboardResponse)
