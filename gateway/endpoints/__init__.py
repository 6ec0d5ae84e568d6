"""The gateway's endpoints, grouped by resource; ``GatewayService`` mixes them together."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from gateway.bootstrap import GatewayApp
from shared.events.canonical import format_timestamp


class Endpoints:
    """What every endpoint group can use; nameko injects them per worker."""

    app: GatewayApp
    recruitment: Any  # nameko's RPC proxy to the recruitment service
    placement: Any  # nameko's RPC proxy to the placement service


def wire(values: dict[str, Any]) -> dict[str, Any]:
    """A loaded body as services take it over RPC: dates ``YYYY-MM-DD``, timestamps
    canonical UTC text (nameko's serializer would otherwise send typed objects)."""
    return {name: _wire_value(value) for name, value in values.items()}


def _wire_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
