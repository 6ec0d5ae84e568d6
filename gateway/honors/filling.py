"""The endpoint of a command route whose command the gateway completes from its read models
(``Route.filled``): the pipeline validates the body with the command's contract (the filled
fields hold stand-ins), the section's ``fill`` supplies the real values, then the command goes
out as every command does (``send_command``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from werkzeug.wrappers import Request, Response

from gateway.core.call import ApiCall, Reply, send_command
from gateway.core.route import Route
from gateway.core.web import ApiEndpoint, Endpoint
from shared.contracts.records import Command

Fill = Callable[[Any, ApiCall, Command], dict[str, object]]
"""``fill(endpoints, call, command)``: the filled fields' values (raise ``ApiError`` to refuse)."""


def filled_command(route: Route, fill: Fill) -> Endpoint:
    """The endpoint of ``route``; assign it to the section's endpoints as ``route.name``."""
    names = {name for name, _ in route.filled}

    def endpoint(self: Any, request: Request, **_path: str) -> Response:
        def action(call: ApiCall) -> Reply:
            assert call.command is not None, "a command route's pipeline built its command"
            values = fill(self, call, call.command)
            assert set(values) == names, f"{route.name} must fill exactly {sorted(names)}"
            return send_command(replace(call, command=call.command.with_values(**values)))

        response: Response = self.app.edge.handle(request, route, action, self.services)
        return response

    endpoint.__name__ = endpoint.__qualname__ = route.name
    registered: Endpoint = ApiEndpoint.decorator(route)(endpoint)
    return registered
