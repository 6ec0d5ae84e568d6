"""A private RabbitMQ node for fault tests: started, kill -9'ed and started again at will.

The machine's shared broker (127.0.0.1:5672) is never stopped or restarted by a test; this
node has its own name, ports, data and log directories under the test's temporary folder,
and no plugins. Its data survives a kill, as a real broker's disk does.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

RABBITMQ_SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"
START_TIMEOUT_SECONDS = 60.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class OwnBroker:
    """One RabbitMQ node of the test's own (guest/guest on 127.0.0.1:``port``, vhost ``/``)."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.port = _free_port()
        self.dist_port = _free_port()
        self.node = f"faults-{uuid.uuid4().hex[:8]}@localhost"
        base.mkdir(parents=True, exist_ok=True)
        (base / "rabbitmq.conf").write_text(
            f"listeners.tcp.local = 127.0.0.1:{self.port}\nloopback_users = none\n"
        )
        (base / "plugins").write_text("[].\n")
        self._launcher: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def _environ(self) -> dict[str, str]:
        return {
            **os.environ,
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(self.base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.base / "log"),
            "RABBITMQ_PID_FILE": str(self.base / "pid"),
            "RABBITMQ_CONFIG_FILE": str(self.base / "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.base / "plugins"),
        }

    def start(self) -> None:
        """Start the node and wait until it accepts AMQP connections."""
        (self.base / "pid").unlink(missing_ok=True)
        with (self.base / "server.out").open("ab") as out:
            self._launcher = subprocess.Popen(
                [RABBITMQ_SERVER], env=self._environ(), stdout=out, stderr=out
            )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not _listening(self.port):
            if time.monotonic() > deadline:
                raise AssertionError(f"own broker did not start: {self.tail()}")
            time.sleep(0.2)

    def beam_pid(self) -> int | None:
        try:
            return int((self.base / "pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def kill(self) -> None:
        """kill -9 the node, as a crash or an OOM kill would; waits until its port is closed."""
        pid = self.beam_pid()
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self._launcher is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._launcher.wait(30)
            self._launcher = None
        deadline = time.monotonic() + 30
        while _listening(self.port) and time.monotonic() < deadline:
            time.sleep(0.1)

    def tail(self) -> str:
        out = self.base / "server.out"
        return out.read_text(errors="replace")[-2000:] if out.exists() else ""


@contextlib.contextmanager
def own_broker(base: Path, *, started: bool = True) -> Iterator[OwnBroker]:
    """A private node under ``base``; killed (and its files left to the tmp dir) afterwards."""
    broker = OwnBroker(base)
    if started:
        broker.start()
    try:
        yield broker
    finally:
        broker.kill()
