"""The dashboard's endpoints, made for the sections' shares they put together."""

from __future__ import annotations

from gateway.core.call import ApiCall, Reply
from gateway.core.endpoints import Endpoints
from gateway.core.web import api
from gateway.dashboard.queries import DashboardReads, Shares
from gateway.dashboard.routes import DashboardRoutes


def dashboard_endpoints(routes: DashboardRoutes, shares: Shares) -> type[Endpoints]:
    """The endpoints class of ``routes``, reading ``shares``."""

    class DashboardEndpoints(Endpoints):
        @api(routes.campaign)
        def campaign_dashboard(self, call: ApiCall) -> Reply:
            found = self.app.read(DashboardReads).campaign(shares, call.path["campaign_id"])
            return call.answer(call.found(found, "campaign"))

        @api(routes.history)
        def programme_history(self, call: ApiCall) -> Reply:
            return call.answer(self.app.read(DashboardReads).history(shares))

    return DashboardEndpoints
