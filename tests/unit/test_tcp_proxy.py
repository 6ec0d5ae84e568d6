"""The fault tests' TCP proxy leaves no green thread waiting on a socket it has closed.

A listener left in eventlet's hub on a closed descriptor outlives the test: the descriptor's
number is reused by the next socket the process opens, and a read on it that is not a green
socket's (libpq's, under psycogreen) fails with "Second simultaneous read on fileno N" in some
later, unrelated test. These tests end a proxied connection each way a fault test does.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Iterator

import eventlet
import eventlet.hubs
import pytest

from tests.support.hub_leaks import closed_descriptors_listened_on
from tests.support.tcp_proxy import TcpProxy

SETTLE_SECONDS = 5.0


class _EchoServer:
    """A target that echoes, and whose side of a connection the test can close."""

    def __init__(self) -> None:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(8)
        self.port = self._listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                connection, _ = self._listener.accept()
                self.accepted.append(connection)
                threading.Thread(target=self._echo, args=(connection,), daemon=True).start()

    @staticmethod
    def _echo(connection: socket.socket) -> None:
        with contextlib.suppress(OSError, EOFError):
            while chunk := connection.recv(4096):
                connection.sendall(chunk)
        with contextlib.suppress(OSError):
            connection.close()

    def close_its_side(self) -> None:
        """The upstream ends the connection (the broker closing it), from a thread that is
        not reading it: shut down, which wakes the reader, who closes."""
        for connection in self.accepted:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)


def _proxy_sockets_listened_on(descriptors: set[int]) -> set[int]:
    hub = eventlet.hubs.get_hub()
    listened = {fd for bucket in hub.listeners.values() for fd in bucket}
    return listened & descriptors


def _settled(descriptors: set[int]) -> set[int]:
    """The proxy's sockets still listened on once its pipes had time to end."""
    deadline = eventlet.hubs.get_hub().clock() + SETTLE_SECONDS
    while eventlet.hubs.get_hub().clock() < deadline:
        if not _proxy_sockets_listened_on(descriptors) and not closed_descriptors_listened_on():
            break
        eventlet.sleep(0.02)
    return _proxy_sockets_listened_on(descriptors) | set(closed_descriptors_listened_on())


@pytest.fixture
def echo() -> Iterator[_EchoServer]:
    server = _EchoServer()
    yield server
    server.stop()


@pytest.fixture
def proxy(echo: _EchoServer) -> Iterator[TcpProxy]:
    proxy = TcpProxy("127.0.0.1", echo.port)
    yield proxy
    proxy.close()


def _connected(proxy: TcpProxy) -> tuple[socket.socket, set[int]]:
    """A client through the proxy that got its echo; the descriptors the proxy opened for it."""
    before = set(_open_socket_descriptors())
    client = socket.create_connection(("127.0.0.1", proxy.port), timeout=5)
    client.sendall(b"ping")
    assert client.recv(16) == b"ping"
    opened = set(_open_socket_descriptors()) - before - {client.fileno()}
    assert opened, "the proxy opened no socket of its own"
    return client, opened


def _open_socket_descriptors() -> list[int]:
    found = []
    for name in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            if os.readlink(f"/proc/self/fd/{name}").startswith("socket:"):
                found.append(int(name))
    return found


def test_the_upstream_closing_leaves_no_listener_on_a_closed_socket(
    echo: _EchoServer, proxy: TcpProxy
) -> None:
    client, proxied = _connected(proxy)
    echo.close_its_side()
    assert client.recv(16) == b""
    assert _settled(proxied) == set()
    client.close()


def test_the_client_closing_leaves_no_listener_on_a_closed_socket(proxy: TcpProxy) -> None:
    client, proxied = _connected(proxy)
    client.shutdown(socket.SHUT_RDWR)
    client.close()
    assert _settled(proxied) == set()


def test_a_cut_leaves_no_listener_on_a_closed_socket_and_refuses_until_restored(
    proxy: TcpProxy,
) -> None:
    client, proxied = _connected(proxy)
    proxy.cut()
    assert client.recv(16) == b""
    client.close()
    assert _settled(proxied) == set()
    refused = socket.create_connection(("127.0.0.1", proxy.port), timeout=5)
    assert refused.recv(16) == b""
    refused.close()
    proxy.restore()
    again, _ = _connected(proxy)
    again.close()
