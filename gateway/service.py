"""The gateway nameko service: HTTP in, commands to services over RPC, reads from read models."""

from __future__ import annotations

from gateway.bootstrap import GatewayAppProvider
from gateway.endpoints.campaigns import CampaignEndpoints
from gateway.endpoints.host_units import HostUnitEndpoints
from gateway.endpoints.operations import OperationEndpoints
from gateway.endpoints.placements import PlacementEndpoints
from gateway.endpoints.selection import SelectionEndpoints
from gateway.endpoints.students import StudentEndpoints
from shared.rpc import service_proxy


class GatewayService(
    CampaignEndpoints,
    StudentEndpoints,
    HostUnitEndpoints,
    SelectionEndpoints,
    PlacementEndpoints,
    OperationEndpoints,
):
    """Every route of ``gateway.routes``; the endpoints live in ``gateway.endpoints``."""

    name = "gateway"
    app = GatewayAppProvider()
    recruitment = service_proxy("recruitment")
    placement = service_proxy("placement")
