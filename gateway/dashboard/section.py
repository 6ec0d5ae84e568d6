"""What the dashboard adds to the gateway (registered in ``gateway.sections``): two read
routes that put together the shares of the sections before it (``Section.dashboard``); no
projection and no tables of its own. A section joins the dashboard by setting its share."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.core.section import Section
from gateway.dashboard.endpoints import dashboard_endpoints
from gateway.dashboard.queries import DashboardReads
from gateway.dashboard.routes import dashboard_routes


def dashboard_over(sections: Sequence[Section]) -> Section:
    """The dashboard section of ``sections``: a block per section whose share has a schema."""
    shares = tuple((s.name, s.dashboard) for s in sections if s.dashboard is not None)
    blocks = {name: share.schema for name, share in shares if share.schema is not None}
    routes = dashboard_routes(blocks)
    endpoints = dashboard_endpoints(routes, shares)
    return Section("dashboard", routes.all, endpoints, {}, (), (DashboardReads,))
