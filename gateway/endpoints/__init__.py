"""The gateway's endpoints, grouped by resource; ``GatewayService`` mixes them together."""

from __future__ import annotations

from typing import Any

from gateway.bootstrap import GatewayApp


class Endpoints:
    """What every endpoint group can use; nameko injects both per worker."""

    app: GatewayApp
    recruitment: Any  # nameko's RPC proxy to the recruitment service
