"""What recruitment adds to the gateway (registered in ``gateway.sections``)."""

from __future__ import annotations

from gateway.core.section import Section
from gateway.recruitment import projection, routes, tables
from gateway.recruitment.endpoints import RecruitmentEndpoints
from gateway.recruitment.queries import RecruitmentReads

SECTION = Section(
    name="recruitment",
    routes=routes.ROUTES,
    endpoints=RecruitmentEndpoints,
    projection=projection.PROJECTION,
    tables=tables.TABLES,
    reads=(RecruitmentReads,),
    personal_columns=tables.PERSONAL_COLUMNS,
)
