"""What recruitment adds to the gateway (registered in ``gateway.sections``)."""

from __future__ import annotations

from gateway.core.section import Section
from gateway.recruitment.dashboard import DASHBOARD
from gateway.recruitment.endpoints import RecruitmentEndpoints
from gateway.recruitment.projection import PROJECTION
from gateway.recruitment.queries import RecruitmentReads
from gateway.recruitment.routes import ROUTES
from gateway.recruitment.tables import TABLES

SECTION = Section(
    "recruitment",
    ROUTES,
    RecruitmentEndpoints,
    PROJECTION,
    TABLES,
    (RecruitmentReads,),
    dashboard=DASHBOARD,
)
