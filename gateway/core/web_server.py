"""nameko's web server on the gateway's edge: the port bound without SO_REUSEPORT, the accept
loop with its connection cap, the slow-client-safe protocol (``gateway.core.http_server``),
and a WSGI app that answers unknown paths and methods, and its own crashes, in JSON, and
answers browsers' CORS preflights and marks every answer for an allowed origin
(``gateway.core.cors``). A GET that no route matches outside the API is the web console's
(``gateway.console.static_files``).
"""

from __future__ import annotations

import errno
import functools
import time
import traceback
from typing import Any

import eventlet
from eventlet.greenio import GreenSocket
from nameko.web.server import WebServer, WsgiApp
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.wrappers import Request, Response

from gateway.console.static_files import console_response
from gateway.core.call import Reply
from gateway.core.cors import CorsPolicy
from gateway.core.errors import ApiError
from gateway.core.http_server import EdgeServer, refusal_bytes
from gateway.core.metrics import UNMATCHED, GatewayMetrics
from gateway.core.pipeline import correlation_id_of, internal_error, render
from gateway.core.slow_clients import HttpLimits
from shared.config import CONFIG_KEY
from shared.logging import get_logger
from shared.ports import bind_exclusively
from shared.worker_logs import traceback_frames

log = get_logger(__name__)


def _error_response(request: Request, error: ApiError, headers: dict[str, str]) -> Response:
    return render(Reply(error.status, error.body(), headers), correlation_id_of(request))


class ApiWsgiApp(WsgiApp):  # type: ignore[misc] # nameko is untyped
    """Routes like nameko's own app, but answers unknown paths and methods in JSON."""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        started = time.perf_counter()
        request = Request(environ, shallow=True)
        cors: CorsPolicy = self.server.cors
        origin = request.headers.get("Origin")
        if cors.is_preflight(request.method, request.headers):
            methods = self.url_map.bind_to_environ(environ).allowed_methods()
            if methods:
                cid = correlation_id_of(request)
                response = Response(status=204, headers={"X-Correlation-Id": cid})
                marks = cors.preflight_headers(origin, methods)
            else:
                response = _error_response(request, ApiError("NOT_FOUND", "no such path"), {})
                marks = cors.answer_headers(origin)
        else:
            response, marks = self._respond(request, environ), cors.answer_headers(origin)
        for name, value in marks.items():
            if name == "Vary":
                response.vary.update(part.strip() for part in value.split(","))
            else:
                response.headers[name] = value
        metrics = self.server.metrics()
        if metrics is not None:
            # The route that answered, when one did: matching the path again (twice, with
            # its allowed methods) cost a twentieth of the gateway's CPU per registration.
            answered = getattr(request, "answered_by", None)
            route = answered or self._template(environ, request.method)
            seconds = time.perf_counter() - started
            metrics.observe_request(route, request.method, response.status_code, seconds)
        return response(environ, start_response)

    def _template(self, environ: dict[str, Any], method: str) -> str:
        """The route template the path matches (for a preflight, that of any of its methods);
        ``unmatched`` for none: a label is never a raw path, which may hold ids."""
        adapter = self.url_map.bind_to_environ(environ)
        try:
            methods = adapter.allowed_methods()
            if not methods:
                return UNMATCHED
            provider, _ = adapter.match(method=method if method in methods else methods[0])
        except HTTPException:  # a redirect (a trailing slash): no route answered it
            return UNMATCHED
        route = getattr(provider, "route", None)
        return str(route.path) if route is not None else UNMATCHED

    def _respond(self, request: Request, environ: dict[str, Any]) -> Response:
        try:
            adapter = self.url_map.bind_to_environ(environ)
            provider, values = adapter.match()
            request.path_values = values
            route = getattr(provider, "route", None)
            request.answered_by = str(route.path) if route is not None else None
            response = provider.handle_request(request)
        except NotFound:
            console = console_response(request)  # the web console's files and its pages
            if console is None:
                console = _error_response(request, ApiError("NOT_FOUND", "no such path"), {})
            response = console
        except MethodNotAllowed as refused:
            allowed = ", ".join(sorted(refused.valid_methods or ()))
            response = _error_response(
                request,
                ApiError("METHOD_NOT_ALLOWED", "this path does not take that method"),
                {"Allow": allowed},
            )
        except HTTPException as exception:
            response = exception.get_response(environ)
        except Exception as error:
            frame = traceback.extract_tb(error.__traceback__)[-1]
            log.error(
                "http.failed",
                error=type(error).__name__,
                where=f"{frame.filename}:{frame.lineno}",
                traceback=traceback_frames(error),
            )
            response = render(internal_error(), correlation_id_of(request))
        return response


class ApiWebServer(WebServer):  # type: ignore[misc] # nameko is untyped
    """nameko's web server on the slow-client-safe edge (``gateway.core.http_server``)."""

    _starting: bool

    def __init__(self) -> None:
        super().__init__()
        self.open_connections = 0
        self.limits = HttpLimits()
        self.cors = CorsPolicy()
        self._metrics: GatewayMetrics | None = None

    def metrics(self) -> GatewayMetrics | None:
        """The app's instruments (its ``app`` dependency's); None in a container without one."""
        if self._metrics is None:
            app = next(
                (
                    provider.get_dependency(None)
                    for provider in self.container.dependencies
                    if getattr(provider, "attr_name", None) == "app"
                ),
                None,
            )
            self._metrics = getattr(app, "metrics", None)
        return self._metrics

    def start(self) -> None:
        if not self._starting:
            self._starting = True
            settings = self.container.config.get(CONFIG_KEY, {}).get("settings")
            if settings is not None:
                self.limits = HttpLimits.from_config(settings.http)
                self.cors = CorsPolicy.from_settings(settings)
            address, port = self.bind_addr
            self._sock = GreenSocket(bind_exclusively(address, port, backlog=1024))
            self._sock.settimeout(None)
            self._serv = EdgeServer(self._sock, self.get_wsgi_app(), self.limits)
            self._gt = self.container.spawn_managed_thread(self.run)

    def run(self) -> None:
        while self._is_accepting:
            try:
                sock, address = self._sock.accept()
            except OSError as error:
                # Out of file descriptors, or a connection reset before it was accepted:
                # the server goes on (an exception here would kill the container).
                log.warning("http.accept_failed", error=errno.errorcode.get(error.errno or 0))
                eventlet.sleep(0.05)
                continue
            if self.open_connections >= self.limits.max_connections:
                self._turn_away(sock)
                continue
            self.open_connections += 1
            sock.settimeout(self.limits.body_timeout)
            self.container.spawn_managed_thread(functools.partial(self._serve, sock, address))

    def _serve(self, sock: Any, address: Any) -> None:
        try:
            self.process_request(sock, address)
        finally:
            self.open_connections -= 1

    def _turn_away(self, sock: Any) -> None:
        log.warning("http.too_many_connections", limit=self.limits.max_connections)
        try:
            sock.settimeout(0.5)
            sock.sendall(refusal_bytes("SERVICE_UNAVAILABLE", "too many connections; retry"))
        except OSError:
            pass
        finally:
            sock.close()

    def get_wsgi_app(self) -> ApiWsgiApp:
        return ApiWsgiApp(self)
