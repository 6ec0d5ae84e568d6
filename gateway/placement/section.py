"""What placement adds to the gateway (registered in ``gateway.sections``)."""

from __future__ import annotations

from gateway.core.section import Section
from gateway.placement import projection, routes, tables
from gateway.placement.endpoints import PlacementEndpoints
from gateway.placement.queries import PlacementReads

SECTION = Section(
    name="placement",
    routes=routes.ROUTES,
    endpoints=PlacementEndpoints,
    projection=projection.PROJECTION,
    tables=tables.PLACEMENT_TABLES,
    reads=(PlacementReads,),
    personal_columns=tables.PLACEMENT_PERSONAL_COLUMNS,
)
