"""A taken port is refused, whoever holds it and however (SO_REUSEPORT included), and the
refusal names the port and the process that holds it."""

from __future__ import annotations

import os
import socket

import pytest

from shared.ports import PortTakenError, bind_exclusively, check_port_free, port_holder


def held_like_eventlet() -> socket.socket:
    """A listener bound as eventlet's ``listen`` binds: SO_REUSEADDR and SO_REUSEPORT."""
    holder = socket.socket()
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)
    return holder


def test_a_port_held_with_so_reuseport_is_refused_naming_port_and_holder() -> None:
    with held_like_eventlet() as holder:
        port = holder.getsockname()[1]
        with pytest.raises(PortTakenError) as taken:
            bind_exclusively("127.0.0.1", port)
    message = str(taken.value)
    assert f"127.0.0.1:{port} is taken" in message
    assert f"pid {os.getpid()}" in message


def test_a_port_on_all_interfaces_is_taken_for_one_address_too() -> None:
    with socket.socket() as holder:
        holder.bind(("0.0.0.0", 0))
        holder.listen(1)
        with pytest.raises(PortTakenError):
            check_port_free("127.0.0.1", holder.getsockname()[1])


def test_a_free_port_binds_without_so_reuseport() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    listener = bind_exclusively("127.0.0.1", port)
    try:
        assert listener.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 0
        with pytest.raises(PortTakenError):
            bind_exclusively("127.0.0.1", port)
    finally:
        listener.close()
    check_port_free("127.0.0.1", port)


def test_nobody_holds_a_port_nobody_listens_on() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert port_holder(port) is None
