"""``gravity up``: each service, the event log and the gateway as its own process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from shared.config import ConfigError, Settings
from shared.messaging.topology import amqp_parameters
from shared.ports import PortTakenError, check_port_free

STOP_GRACE_SECONDS = 15


@dataclass(frozen=True)
class Component:
    name: str
    module: str


def components(settings: Settings) -> list[Component]:
    services = [Component(name, f"services.{name}") for name in settings.services]
    return [Component("eventlog", "shared.eventlog"), *services, Component("gateway", "gateway")]


def _die_with_parent() -> None:
    """On Linux, a child gets SIGTERM when the supervisor dies, even by SIGKILL, so that no
    orphaned service keeps consuming from the broker."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def broker_reachable(amqp_uri: str, timeout: float = 3.0) -> bool:
    params = amqp_parameters(amqp_uri)
    try:
        with socket.create_connection((str(params["host"]), int(params["port"])), timeout):
            return True
    except OSError:
        return False


def broker_help(amqp_uri: str) -> str:
    params = amqp_parameters(amqp_uri)
    return (
        f"RabbitMQ is not reachable at {params['host']}:{params['port']}.\n"
        "Start one, for example:\n"
        "  sudo rabbitmq-server -detached            (Debian package rabbitmq-server)\n"
        "  docker run -d -p 5672:5672 rabbitmq:3-management\n"
        "or point GRAVITY_AMQP_URI at a running broker."
    )


class Supervisor:
    """Starts the processes, waits for the gateway, and stops them all on Ctrl-C."""

    def __init__(self, settings: Settings, environ: dict[str, str]) -> None:
        self.settings = settings
        self.environ = environ
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self) -> None:
        Path(self.settings.data_dir).mkdir(parents=True, exist_ok=True)
        for component in components(self.settings):
            self.processes[component.name] = subprocess.Popen(  # noqa: S603 - our own modules
                [sys.executable, "-m", component.module],
                env=self.environ,
                # Own session: Ctrl-C reaches only the supervisor, which stops the children
                # in order with SIGTERM.
                start_new_session=True,
                preexec_fn=_die_with_parent,  # noqa: PLW1509 - only calls prctl, no locks
            )
            if component.name == "eventlog":
                # The log creates its queue bindings first, so no early event is unrouted.
                time.sleep(1.0)

    def wait_until_ready(self, timeout: float = 60.0) -> bool:
        url = f"http://{self.settings.gateway_host}:{self.settings.gateway_port}/readyz"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.exited():
                return False
            try:
                if requests.get(url, timeout=1).status_code == 200:
                    return True
            except requests.RequestException:
                pass
            time.sleep(0.3)
        return False

    def exited(self) -> dict[str, int]:
        return {
            name: code
            for name, process in self.processes.items()
            if (code := process.poll()) is not None
        }

    def watch(self) -> int:
        """Block until Ctrl-C (0) or until a process dies (1)."""
        while True:
            dead = self.exited()
            if dead:
                for name, code in dead.items():
                    print(
                        f"gravity: {name} exited with code {code}; stopping the suite",
                        file=sys.stderr,
                    )
                return 1
            time.sleep(0.5)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for name, process in self.processes.items():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"gravity: {name} did not stop in time; killing it", file=sys.stderr)
                process.kill()
                process.wait()


def run_suite(settings: Settings, environ: dict[str, Any] | None = None) -> int:
    """Run every process until Ctrl-C or SIGTERM; an unsafe production configuration, a
    taken gateway port or an unreachable broker stops it before any process starts."""
    try:
        settings.check_safe_to_run()
    except ConfigError as error:
        print(f"gravity: {error}", file=sys.stderr)
        return 2
    try:
        check_port_free(settings.gateway_host, settings.gateway_port)
    except PortTakenError as taken:
        print(
            f"gravity: the gateway's {taken}; stop that or choose another port (--port)",
            file=sys.stderr,
        )
        return 2
    if not broker_reachable(settings.amqp_uri):
        print(broker_help(settings.amqp_uri), file=sys.stderr)
        return 2
    supervisor = Supervisor(settings, dict(environ or os.environ))

    def terminate(_signum: int, _frame: Any) -> None:
        # SIGTERM (systemd, docker, `timeout`) stops the suite the same way Ctrl-C does.
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    # Set explicitly: a shell starts a background job (`gravity up &`) with SIGINT ignored,
    # and Python then leaves it ignored, so `kill -INT` would do nothing.
    signal.signal(signal.SIGINT, terminate)
    try:
        supervisor.start()
        if not supervisor.wait_until_ready():
            print("gravity: the suite did not become ready; see the logs above", file=sys.stderr)
            return 1
        base = f"http://{settings.gateway_host}:{settings.gateway_port}"
        print(
            f"gravity: up. Gateway {base}/api/v1 (OpenAPI at {base}/openapi.json); "
            f"data in {settings.data_dir}. Ctrl-C stops.",
            file=sys.stderr,
        )
        return supervisor.watch()
    except KeyboardInterrupt:
        print("gravity: stopping", file=sys.stderr)
        return 0
    finally:
        supervisor.stop()
