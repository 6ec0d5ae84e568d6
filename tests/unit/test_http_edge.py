"""The gateway's HTTP edge on its own (a tiny WSGI app, no nameko): deadlines, the bound on
slow clients per address, whole bodies before the application, JSON for every refusal."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import eventlet
import pytest
from eventlet import wsgi

from gateway.core.http_server import EdgeServer, HttpLimits

FAST = HttpLimits(
    header_timeout=0.5, body_timeout=0.5, idle_timeout=1.0, slow_clients_per_address=4
)


@dataclass
class Seen:
    bodies: list[bytes] = field(default_factory=list)


@dataclass
class Edge:
    port: int
    seen: Seen

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=5)

    def exchange(self, raw: bytes) -> tuple[int, dict[str, str], bytes]:
        with self.connect() as client:
            client.sendall(raw)
            return read_response(client)


def read_response(client: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = client.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed after {data!r}")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        rest += client.recv(65536)
    return int(lines[0].split()[1]), headers, rest[:length]


def closed_within(client: socket.socket, seconds: float) -> bool:
    client.settimeout(seconds)
    try:
        while client.recv(65536):
            pass
    except TimeoutError:
        return False
    except OSError:
        return True
    return True


@pytest.fixture
def edge() -> Iterator[Edge]:
    seen = Seen()

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = environ["wsgi.input"].read()
        seen.bodies.append(body)
        answer = json.dumps({"length": len(body), "cl": environ.get("CONTENT_LENGTH")}).encode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [answer]

    listener = eventlet.listen(("127.0.0.1", 0))
    server = EdgeServer(listener, app, FAST)

    def accept() -> None:
        while True:
            sock, address = listener.accept()
            eventlet.spawn(server.process_request, [address, sock, wsgi.STATE_IDLE])

    acceptor = eventlet.spawn(accept)
    yield Edge(listener.getsockname()[1], seen)
    acceptor.kill()
    listener.close()


def post(body: bytes, *headers: str) -> bytes:
    lines = ["POST /x HTTP/1.1", "Host: edge", "Content-Type: application/json", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def test_a_whole_body_reaches_the_application(edge: Edge) -> None:
    status, _, body = edge.exchange(post(b'{"a": 1}', "Content-Length: 8"))
    assert status == 200
    assert json.loads(body) == {"length": 8, "cl": "8"}


def test_a_chunked_body_is_gathered_and_handed_on_with_its_length(edge: Edge) -> None:
    status, _, body = edge.exchange(
        post(b'4\r\n{"a"\r\n4\r\n: 1}\r\n0\r\n\r\n', "Transfer-Encoding: chunked")
    )
    assert status == 200
    assert json.loads(body) == {"length": 8, "cl": "8"}


def test_a_body_that_stops_half_way_answers_408_after_the_deadline_and_closes(edge: Edge):
    with edge.connect() as client:
        started = time.monotonic()
        client.sendall(post(b"{", "Content-Length: 50"))
        status, _, body = read_response(client)
        assert status == 408
        assert json.loads(body)["error"] == "REQUEST_TIMEOUT"
        assert 0.4 < time.monotonic() - started < 2
        assert closed_within(client, 1)
    assert edge.seen.bodies == []


def test_headers_sent_byte_by_byte_past_the_deadline_answer_408(edge: Edge) -> None:
    with edge.connect() as client:
        client.sendall(b"GET /x HTTP/1.1\r\nHost: e")
        for _ in range(8):
            eventlet.sleep(0.1)
            try:
                client.sendall(b"e")
            except OSError:
                break  # the server has answered and closed
        status, _, _ = read_response(client)
        assert status == 408


def test_beyond_the_bound_of_slow_clients_per_address_the_oldest_is_closed(edge: Edge):
    slow = [edge.connect() for _ in range(FAST.slow_clients_per_address)]
    for client in slow:
        client.sendall(post(b"{", "Content-Length: 50"))
    eventlet.sleep(0.05)
    newest = edge.connect()
    newest.sendall(post(b"{", "Content-Length: 50"))
    assert closed_within(slow[0], 0.2)
    assert not closed_within(slow[1], 0.05)
    status, _, _ = edge.exchange(post(b"{}", "Content-Length: 2"))
    assert status == 200  # a quick client still gets through
    for client in [*slow, newest]:
        client.close()


def test_a_kept_alive_connection_serves_requests_until_it_idles_out(edge: Edge) -> None:
    with edge.connect() as client:
        for _ in range(3):
            client.sendall(post(b"{}", "Content-Length: 2"))
            assert read_response(client)[0] == 200
        assert closed_within(client, FAST.idle_timeout + 1)


def test_a_header_line_over_8_kb_answers_431_in_json(edge: Edge) -> None:
    raw = post(b"", "Authorization: Bearer " + "a" * 9000, "Content-Length: 0")
    status, headers, body = edge.exchange(raw)
    assert status == 431
    assert headers["content-type"] == "application/json"
    assert json.loads(body)["error"] == "HEADERS_TOO_LARGE"


def test_a_body_over_the_limit_is_refused_before_it_is_read(edge: Edge) -> None:
    status, _, body = edge.exchange(post(b"", f"Content-Length: {FAST.max_body_bytes + 1}"))
    assert status == 413
    assert json.loads(body)["error"] == "PAYLOAD_TOO_LARGE"


@pytest.mark.parametrize(
    "raw",
    [
        b"GARBAGE\r\n\r\n",
        b"GET /x HTTP/9.9\r\n\r\n",
        post(b"{}", "Content-Length: 2", "Transfer-Encoding: chunked"),
        post(b"{}", "Content-Length: two"),
    ],
)
def test_malformed_http_answers_400_in_json(edge: Edge, raw: bytes) -> None:
    status, headers, body = edge.exchange(raw)
    assert status == 400
    assert headers["content-type"] == "application/json"
    assert json.loads(body)["error"] == "BAD_REQUEST"


def test_expect_100_continue_is_honoured(edge: Edge) -> None:
    with edge.connect() as client:
        client.sendall(post(b"", "Content-Length: 2", "Expect: 100-continue"))
        assert client.recv(100).startswith(b"HTTP/1.1 100 Continue")
        client.sendall(b"{}")
        assert read_response(client)[0] == 200
