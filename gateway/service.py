"""The gateway nameko service, assembled from the sections: HTTP in, commands to services
over RPC, reads from read models."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gateway.core.bootstrap import GatewayAppProvider
from gateway.core.operations import OperationEndpoints
from gateway.core.route import Route
from gateway.core.section import Section
from gateway.core.web import command_endpoint
from gateway.sections import ROUTES, SECTIONS
from shared.kit.client import CommandClient


def assemble(sections: Sequence[Section], routes: tuple[Route, ...]) -> type[Any]:
    """One nameko service class: each section's read endpoints, an endpoint per command route
    (unless its section defines one of the route's name: a route that fills fields from the
    read models), the operations endpoints, the app and the command client."""
    namespace: dict[str, Any] = {
        "__doc__": "Every route of ``gateway.sections``.",
        "__module__": __name__,
        "name": "gateway",
        "app": GatewayAppProvider(sections, routes),
        "services": CommandClient(),
    }
    own = {name for section in sections for name in dir(section.endpoints)}
    for route in routes:
        if route.command is not None and route.name not in own:
            namespace[route.name] = command_endpoint(route)
    bases = (*(s.endpoints for s in sections if s.endpoints is not object), OperationEndpoints)
    return type("GatewayService", bases, namespace)


GatewayService = assemble(SECTIONS, ROUTES)
