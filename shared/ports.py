"""Listening on a TCP port that nobody else holds, and saying who holds it when it is taken.

eventlet's ``listen`` sets SO_REUSEPORT: a second server on a taken port binds silently and
the kernel splits the connections between the two. Here a port is bound with SO_REUSEADDR
only (so a port in TIME_WAIT after a restart is fine), and a port another socket listens on
is refused with ``PortTakenError``, naming the holder when ``/proc`` tells.
"""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

PROC = Path("/proc")
LISTEN_STATE = "0A"  # TCP_LISTEN in /proc/net/tcp


class PortTakenError(OSError):
    """Another socket holds the port; the message names it and, if known, its process."""

    def __init__(self, host: str, port: int) -> None:
        holder = port_holder(port)
        where = f"{host}:{port}" if host else f"port {port}"
        said = f"{where} is taken" + (f" (held by {holder})" if holder else "")
        super().__init__(errno.EADDRINUSE, said)
        self.host, self.port, self.holder = host, port, holder

    def __str__(self) -> str:
        return str(self.strerror)


def bind_exclusively(host: str, port: int, backlog: int = 128) -> socket.socket:
    """A listening socket on (host, port) without SO_REUSEPORT, or ``PortTakenError``."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
        listener.listen(backlog)
    except OSError as error:
        listener.close()
        if error.errno == errno.EADDRINUSE:
            raise PortTakenError(host, port) from None
        raise
    return listener


def check_port_free(host: str, port: int) -> None:
    """Raise ``PortTakenError`` unless (host, port) could be listened on right now."""
    bind_exclusively(host, port, backlog=1).close()


def port_holder(port: int, proc: Path = PROC) -> str | None:
    """``pid 1234 (python -m gateway)`` for the process listening on ``port``, if /proc says."""
    inodes = _listening_inodes(port, proc)
    if not inodes:
        return None
    sockets = {f"socket:[{inode}]" for inode in inodes}
    for pid_dir in proc.iterdir():
        if pid_dir.name.isdigit() and sockets & _links(pid_dir / "fd"):
            return f"pid {pid_dir.name} ({_command_line(pid_dir)})"
    return "a process this user cannot see"


def _links(fd_dir: Path) -> set[str]:
    """What a process's descriptors point to; one that closes meanwhile is skipped."""
    try:
        descriptors = list(fd_dir.iterdir())
    except OSError:
        return set()  # gone meanwhile, or not ours to look into
    links: set[str] = set()
    for descriptor in descriptors:
        try:
            links.add(os.readlink(descriptor))
        except OSError:
            continue
    return links


def _listening_inodes(port: int, proc: Path) -> set[str]:
    found: set[str] = set()
    for table in ("tcp", "tcp6"):
        try:
            lines = (proc / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == LISTEN_STATE and int(local.rsplit(":", 1)[1], 16) == port:
                found.add(inode)
    return found


def _command_line(pid_dir: Path) -> str:
    try:
        raw = (pid_dir / "cmdline").read_bytes()
    except OSError:
        return "?"
    words = raw.rstrip(b"\0").split(b"\0")
    return " ".join(word.decode("utf-8", "replace") for word in words)[:120] or "?"
