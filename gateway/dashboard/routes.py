"""The dashboard's routes, described once: the pipeline enforces them and OpenAPI publishes
them. The campaign dashboard's answer holds a block per section that has a share, so its
routes are made from those sections (``gateway.dashboard.section``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from marshmallow import Schema

from gateway.core.route import REPORT_READERS, Route, read_route
from gateway.dashboard import schemas as ds

TAG = "dashboard"


@dataclass(frozen=True)
class DashboardRoutes:
    campaign: Route
    history: Route

    @property
    def all(self) -> tuple[Route, ...]:
        return (self.campaign, self.history)


def dashboard_routes(blocks: Mapping[str, type[Schema]]) -> DashboardRoutes:
    """The two routes; ``blocks``: each section's block schema by the section's name."""
    return DashboardRoutes(
        campaign=read_route(
            "campaign_dashboard",
            "/campaigns/{campaign_id}/dashboard",
            "A campaign's figures in one document: its stages (registered to completed, host "
            "units, positions) and each section's report (counts only)",
            TAG,
            REPORT_READERS,
            ds.campaign_dashboard_response(blocks),
        ),
        history=read_route(
            "programme_history",
            "/programme/history",
            "The programme's figures per year across every campaign, and over all the years "
            "(counts only)",
            TAG,
            REPORT_READERS,
            ds.ProgrammeHistoryResponse,
        ),
    )
