"""nameko's HTTP entrypoint, made to speak the API's JSON everywhere (404, 405 and crashes too).

``@api(route)`` registers a method for a read ``Route`` and runs it through the service's
request pipeline (``self.app.edge``); the method receives an ``ApiCall`` and returns a
``Reply``. ``command_endpoint(route)`` is the whole endpoint of a command route.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any

from nameko.exceptions import ContainerBeingKilled
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer, WsgiApp
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.wrappers import Request, Response

from gateway.core.call import ApiCall, Reply, send_command
from gateway.core.errors import ApiError
from gateway.core.pipeline import correlation_id_of, internal_error, render
from gateway.core.route import Route
from shared.logging import get_logger

log = get_logger(__name__)

Endpoint = Callable[..., Response]


def _error_response(request: Request, error: ApiError, headers: dict[str, str]) -> Response:
    return render(Reply(error.status, error.body(), headers), correlation_id_of(request))


class ApiWsgiApp(WsgiApp):  # type: ignore[misc] # nameko is untyped
    """Routes like nameko's own app, but answers unknown paths and methods in JSON."""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ, shallow=True)
        adapter = self.url_map.bind_to_environ(environ)
        try:
            provider, values = adapter.match()
            request.path_values = values
            response = provider.handle_request(request)
        except NotFound:
            response = _error_response(request, ApiError("NOT_FOUND", "no such path"), {})
        except MethodNotAllowed as refused:
            allowed = ", ".join(sorted(refused.valid_methods or ()))
            response = _error_response(
                request,
                ApiError("METHOD_NOT_ALLOWED", "this path does not take that method"),
                {"Allow": allowed},
            )
        except HTTPException as exception:
            response = exception
        return response(environ, start_response)


class ApiWebServer(WebServer):  # type: ignore[misc] # nameko is untyped
    def get_wsgi_app(self) -> ApiWsgiApp:
        return ApiWsgiApp(self)


class ApiEndpoint(HttpRequestHandler):  # type: ignore[misc] # nameko is untyped
    """An HTTP entrypoint bound to a ``Route``; failures outside the pipeline answer INTERNAL."""

    server = ApiWebServer()

    def __init__(self, route: Route, **kwargs: Any) -> None:
        super().__init__(route.method, route.rule, **kwargs)
        self.route = route

    def response_from_exception(self, exc: Exception) -> Response:
        if isinstance(exc, ContainerBeingKilled):
            error = ApiError("SERVICE_UNAVAILABLE", "the gateway is shutting down; retry")
            return render(Reply(error.status, error.body()), str(uuid.uuid4()))
        log.error("http.entrypoint_failed", error=type(exc).__name__)
        return render(internal_error(), str(uuid.uuid4()))


def api(route: Route) -> Callable[[Callable[[Any, ApiCall], Reply]], Endpoint]:
    """Expose a service method as ``route``; the pipeline runs before and after it."""

    def decorate(action: Callable[[Any, ApiCall], Reply]) -> Endpoint:
        @functools.wraps(action)
        def endpoint(self: Any, request: Request, **_path: str) -> Response:
            response: Response = self.app.edge.handle(
                request, route, functools.partial(action, self)
            )
            return response

        registered: Endpoint = ApiEndpoint.decorator(route)(endpoint)
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
