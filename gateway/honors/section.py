"""What honours adds to the gateway (registered in ``gateway.sections``)."""

from __future__ import annotations

from gateway.core.section import Section
from gateway.honors.dashboard import DASHBOARD
from gateway.honors.endpoints import HonorsEndpoints
from gateway.honors.lists import HonorsLists
from gateway.honors.projection import PROJECTION
from gateway.honors.queries import HonorsReads
from gateway.honors.routes import ROUTES
from gateway.honors.tables import TABLES

SECTION = Section(
    "honors",
    ROUTES,
    HonorsEndpoints,
    PROJECTION,
    TABLES,
    (HonorsReads, HonorsLists),
    dashboard=DASHBOARD,
)
