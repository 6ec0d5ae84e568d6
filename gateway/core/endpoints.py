"""What every section's endpoints can use; nameko injects both per worker."""

from __future__ import annotations

from gateway.core.bootstrap import GatewayApp
from shared.kit.client import CommandSender


class Endpoints:
    """Base of each section's read endpoints (command routes need none)."""

    app: GatewayApp
    services: CommandSender
