"""What placement adds to the gateway (registered in ``gateway.sections``)."""

from __future__ import annotations

from gateway.core.section import Section
from gateway.placement import projection, tables
from gateway.placement.queries import PlacementReads

SECTION = Section(
    name="placement",
    routes=(),
    endpoints=object,
    projection=projection.PROJECTION,
    tables=tables.PLACEMENT_TABLES,
    reads=(PlacementReads,),
    personal_columns=tables.PLACEMENT_PERSONAL_COLUMNS,
)
