"""The gateway's HTTP/1.1 edge: eventlet's WSGI protocol, made safe against slow clients.

A request is read whole (request line, headers and body) in its connection's own green
thread, under deadlines, before it reaches nameko: a worker of the container's pool is only
taken once there is a complete request to act on, so clients that trickle their bytes hold
nothing the other requests need.

* **Deadlines**: the request line and headers within ``header_timeout`` of the connection
  opening (or of the first byte of a kept-alive connection's next request), the body within
  ``body_timeout``; a kept-alive connection is closed after ``idle_timeout`` without a
  request. A missed deadline answers 408 and closes.
* **Slow clients per address**: at most ``slow_clients_per_address`` connections of one
  address may be unfinished (opened, or in the middle of a request) at once, and at most
  four times as many idle; past that the oldest of them is closed. Behind a reverse proxy
  every client has the proxy's address: raise the bound there.
* **Connections in all**: past ``max_connections`` a new connection is answered 503.
* **Every refusal is JSON** in the API's error shape (a malformed request line, a header
  line over 8 KB such as an oversize token, a body over the limit), never an empty body or
  an HTML page.

(One protocol class with the deadlines it enforces, a little over 200 lines: split, the
reading loop and its limits would be in two places.)
"""

from __future__ import annotations

import contextlib
import io
import json
import socket
import uuid
from typing import Any

import eventlet
from eventlet import wsgi
from nameko.web.server import HttpOnlyProtocol

from gateway.core.errors import ApiError
from gateway.core.http_request import parse_request
from gateway.core.slow_clients import ClientBook, HttpLimits
from shared.logging import get_logger

log = get_logger(__name__)


class RequestTimeoutError(Exception):
    """A request did not arrive whole within its deadline."""


def refusal_bytes(code: str, message: str, headers: dict[str, str] | None = None) -> bytes:
    """A complete HTTP/1.1 answer in the API's error shape that closes the connection."""
    error = ApiError(code, message)
    body = json.dumps(error.body()).encode()
    lines = [
        f"HTTP/1.1 {error.status} {code.replace('_', ' ').title()}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        f"X-Correlation-Id: {uuid.uuid4()}",
        "Connection: close",
        *(f"{name}: {value}" for name, value in (headers or {}).items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class EdgeProtocol(HttpOnlyProtocol):  # type: ignore[misc] # eventlet is untyped
    """eventlet's HTTP/1.1 protocol with whole requests read under deadlines (see module)."""

    server: EdgeServer
    rfile: Any
    wfile: Any

    def setup(self) -> None:
        super().setup()
        self.address = str(self.client_address[0])
        self.evicted = False
        self.requests = 0

    def evict(self) -> None:
        self.evicted = True
        log.info("http.slow_client_closed")
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def handle_one_request(self) -> None:
        if not self._read_whole_request():
            self.close_connection = 1
            return
        self.requests += 1
        self.application = self.server.app
        try:
            self.server.outstanding_requests += 1
            self.handle_one_response()
        except OSError as error:
            if error.errno not in wsgi.BROKEN_SOCK:
                raise
        finally:
            self.server.outstanding_requests -= 1

    def _read_whole_request(self) -> bool:
        """Wait for a request and read it whole, under the deadlines; False when there is
        none to act on (answered, timed out, gone or evicted)."""
        book, limits = self.server.clients, self.server.limits
        try:
            if self.requests:
                book.idle(self)
                self.connection.settimeout(limits.idle_timeout)
                if not self._first_byte():
                    return False
            book.unfinished(self)
            self.conn_state[2] = wsgi.STATE_REQUEST
            with eventlet.Timeout(limits.header_timeout, RequestTimeoutError()):
                self.connection.settimeout(limits.header_timeout)
                if not self._head():
                    return False
            with eventlet.Timeout(limits.body_timeout, RequestTimeoutError()):
                self.connection.settimeout(limits.body_timeout)
                return self._body()
        except RequestTimeoutError:
            self._refuse("REQUEST_TIMEOUT", "the request did not arrive in time")
            return False
        except OSError:
            return False  # the client went away, timed out between bytes, or was evicted
        finally:
            book.done(self)

    def _first_byte(self) -> bool:
        try:
            return bool(self.rfile.peek(1)) and not self.evicted
        except OSError:
            return False

    def _head(self) -> bool:
        """Request line and headers; False when answered or gone."""
        self.raw_requestline = self.rfile.readline(self.server.url_length_limit)
        if not self.raw_requestline or self.evicted:
            return False
        if len(self.raw_requestline) >= self.server.url_length_limit:
            self._refuse("URI_TOO_LONG", "the request line is too long")
            return False
        plain = self.rfile
        try:
            self.rfile = wsgi.FileObjectForHeaders(plain)
            if not self.parse_request():
                return False
        except (wsgi.HeaderLineTooLong, wsgi.HeadersTooLarge):
            self._refuse("HEADERS_TOO_LARGE", "a header line is over 8 KB, or the headers 64 KB")
            return False
        finally:
            self.rfile = plain
        return not self.evicted

    def _body(self) -> bool:
        """The whole body, held in memory for the application; False when answered or gone."""
        headers = self.headers
        length = headers.get("content-length")
        if length is not None and headers.get("transfer-encoding") is not None:
            self._refuse("BAD_REQUEST", "Content-Length and Transfer-Encoding together")
            return False
        limit = self.server.limits.max_body_bytes
        if length is not None and (not length.isdigit() or int(length) > limit):
            if not length.isdigit():
                self._refuse("BAD_REQUEST", "Content-Length is not a number")
            else:
                self._refuse_too_large(limit)
            return False
        self.environ = self.get_environ()
        stream = self.environ["eventlet.input"]
        try:
            body = stream.read(limit + 1)
        except (ValueError, wsgi.ChunkReadError):
            self._refuse("BAD_REQUEST", "the chunked body is malformed")
            return False
        if len(body) > limit:
            self._refuse_too_large(limit)
            return False
        if self.evicted or (length is not None and len(body) < int(length)):
            return False  # the client stopped half-way
        self.environ.pop("HTTP_TRANSFER_ENCODING", None)
        self.environ["CONTENT_LENGTH"] = str(len(body))
        whole = wsgi.Input(io.BytesIO(body), len(body), self.connection)
        self.environ["wsgi.input"] = self.environ["eventlet.input"] = whole
        return True

    def _refuse_too_large(self, limit: int) -> None:
        self._refuse("PAYLOAD_TOO_LARGE", f"the body may hold at most {limit} bytes")

    def _refuse(self, code: str, message: str) -> None:
        log.info("http.refused", code=code)
        self.close_connection = 1
        try:
            self.wfile.write(refusal_bytes(code, message))
            self.wfile.flush()
        except OSError:
            pass

    def parse_request(self) -> bool:
        """The standard library's, with the usual headers read without the email package
        (``gateway.core.http_request``)."""
        return parse_request(self)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """What the standard library's request parser answers with, in JSON."""
        del message, explain  # they may quote the request
        if code in (413, 431):
            self._refuse("HEADERS_TOO_LARGE", "too many headers, or a header line too long")
        else:
            self._refuse("BAD_REQUEST", f"the request is not well-formed HTTP/1.1 ({code})")

    def log_message(self, format: str, *args: Any) -> None:
        """The standard library's request logging; our own lines say what matters."""


class EdgeServer(wsgi.Server):  # type: ignore[misc] # eventlet is untyped
    """eventlet's WSGI server with the limits and the book of slow clients."""

    def __init__(self, sock: Any, app: Any, limits: HttpLimits) -> None:
        super().__init__(
            sock,
            sock.getsockname(),
            app,
            protocol=EdgeProtocol,
            debug=False,
            log_output=False,
            socket_timeout=limits.body_timeout,
        )
        self.limits = limits
        self.clients = ClientBook(limits)
