"""The test-wide check for green threads left waiting on closed sockets (tests/conftest.py)."""

from __future__ import annotations

import socket

import eventlet

from tests.support.hub_leaks import closed_descriptors_listened_on, leaked_listeners


def test_a_thread_waiting_on_a_socket_closed_under_it_is_named_and_released() -> None:
    reading, writing = socket.socketpair()
    waiting = eventlet.spawn(reading.recv, 16)
    eventlet.sleep(0)  # it parks on the socket
    descriptor = reading.fileno()
    reading.close()  # from another thread: the hub is not told

    leaked = leaked_listeners()

    assert list(leaked) == [descriptor]
    assert "recv" in leaked[descriptor]
    assert closed_descriptors_listened_on() == []
    assert waiting.dead
    writing.close()


def test_a_thread_that_read_its_socket_and_closed_it_leaves_nothing() -> None:
    reading, writing = socket.socketpair()
    waiting = eventlet.spawn(reading.recv, 16)
    eventlet.sleep(0)
    writing.sendall(b"ping")
    assert waiting.wait() == b"ping"
    reading.close()
    writing.close()

    assert leaked_listeners() == {}
