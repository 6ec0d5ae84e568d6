"""What placement adds to the gateway (registered in ``gateway.sections``)."""

from __future__ import annotations

from gateway.core.section import Section
from gateway.placement.dashboard import DASHBOARD
from gateway.placement.endpoints import PlacementEndpoints
from gateway.placement.lists import PlacementLists
from gateway.placement.projection import PROJECTION
from gateway.placement.queries import PlacementReads
from gateway.placement.routes import ROUTES
from gateway.placement.tables import TABLES

SECTION = Section(
    "placement",
    ROUTES,
    PlacementEndpoints,
    PROJECTION,
    TABLES,
    (PlacementReads, PlacementLists),
    dashboard=DASHBOARD,
)
