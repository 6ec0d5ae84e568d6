"""What volunteering adds to the gateway (registered in ``gateway.sections``)."""

from __future__ import annotations

from gateway.core.section import Section
from gateway.volunteering.dashboard import DASHBOARD
from gateway.volunteering.endpoints import VolunteeringEndpoints
from gateway.volunteering.lists import VolunteeringLists
from gateway.volunteering.projection import PROJECTION
from gateway.volunteering.queries import VolunteeringReads
from gateway.volunteering.routes import ROUTES
from gateway.volunteering.tables import TABLES

SECTION = Section(
    "volunteering",
    ROUTES,
    VolunteeringEndpoints,
    PROJECTION,
    TABLES,
    (VolunteeringReads, VolunteeringLists),
    dashboard=DASHBOARD,
)
