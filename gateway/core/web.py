"""nameko's HTTP entrypoint, made to speak the API's JSON everywhere (404, 405 and crashes too).

``@api(route)`` registers a method for a read ``Route`` and runs it through the service's
request pipeline (``self.app.edge``); the method receives an ``ApiCall`` and returns a
``Reply``. ``command_endpoint(route)`` is the whole endpoint of a command route.

The server underneath is ``gateway.core.web_server`` on ``gateway.core.http_server``:
requests arrive whole, under deadlines, before a worker is taken. ``@api(route,
inline=True)`` (health and readiness) answers in the connection's own green thread without
a worker at all, so a pool busy with API work never delays it.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from nameko.exceptions import ContainerBeingKilled
from nameko.web.handlers import HttpRequestHandler
from werkzeug.wrappers import Request, Response

from gateway.core.call import ApiCall, Reply, send_command
from gateway.core.errors import ApiError
from gateway.core.pipeline import internal_error, render
from gateway.core.route import Route
from gateway.core.web_server import ApiWebServer
from shared.logging import get_logger
from shared.rpc import SignatureOnce
from shared.worker_logs import traceback_frames

log = get_logger(__name__)

Endpoint = Callable[..., Response]


class ApiEndpoint(SignatureOnce, HttpRequestHandler):  # type: ignore[misc] # nameko is untyped
    """An HTTP entrypoint bound to a ``Route``; failures outside the pipeline answer INTERNAL."""

    server = ApiWebServer()

    def __init__(
        self, route: Route, inline: Callable[[Any, ApiCall], Reply] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(route.method, route.rule, **kwargs)
        self.route = route
        self.inline = inline

    def handle_request(self, request: Request) -> Response:
        """A worker runs the endpoint, except an inline one: that answers right here."""
        if self.inline is None:
            response: Response = super().handle_request(request)
            return response
        request.shallow = False
        app = next(
            provider.get_dependency(None)
            for provider in self.container.dependencies
            if provider.attr_name == "app"
        )
        holder = SimpleNamespace(app=app, request=request)  # ``self`` to the endpoint method
        answered: Response = app.edge.handle(
            request, self.route, functools.partial(self.inline, holder)
        )
        return answered

    def response_from_exception(self, exc: Exception) -> Response:
        if isinstance(exc, ContainerBeingKilled):
            error = ApiError("SERVICE_UNAVAILABLE", "the gateway is shutting down; retry")
            return render(Reply(error.status, error.body()), str(uuid.uuid4()))
        log.error(
            "http.entrypoint_failed", error=type(exc).__name__, traceback=traceback_frames(exc)
        )
        return render(internal_error(), str(uuid.uuid4()))


def api(
    route: Route, *, inline: bool = False
) -> Callable[[Callable[[Any, ApiCall], Reply]], Endpoint]:
    """Expose a service method as ``route``; the pipeline runs before and after it.

    ``inline`` endpoints (health checks, metrics) run without a worker; they may use
    ``self.app`` and ``self.request`` and nothing else of the service.
    """

    def decorate(action: Callable[[Any, ApiCall], Reply]) -> Endpoint:
        @functools.wraps(action)
        def endpoint(self: Any, request: Request, **_path: str) -> Response:
            response: Response = self.app.edge.handle(
                request, route, functools.partial(action, self)
            )
            return response

        provider = ApiEndpoint.decorator(route, inline=action if inline else None)
        registered: Endpoint = provider(endpoint)
        return registered

    return decorate


def command_endpoint(route: Route) -> Endpoint:
    """The endpoint of a command route: the pipeline validates, ``send_command`` acts."""

    def endpoint(self: Any, request: Request, **_path: str) -> Response:
        response: Response = self.app.edge.handle(request, route, send_command, self.services)
        return response

    endpoint.__name__ = endpoint.__qualname__ = route.name
    registered: Endpoint = ApiEndpoint.decorator(route)(endpoint)
    return registered
