"""``gravity up``: each service, the event log, the gateway and the read models' projector as
its own process, each
restarted when it dies (``gravity.restarts`` says when, and when to give up).

(A little past 200 lines: starting, watching, restarting and stopping share the children and
their restart book; the pre-start checks are the few lines only ``gravity up`` needs.)
"""

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

from gravity.restarts import RestartBook, RestartPolicy
from gravity.retention_run import DailyRetention
from shared.config import ConfigError, Settings
from shared.events.producer_keys import ensure_producer_key
from shared.events.producers import producers
from shared.file_modes import protect_data_files
from shared.logging import configure_logging, get_logger
from shared.lookup_digest import load_lookup_key, lookup_key_path, make_lookup_key
from shared.messaging.topology import amqp_parameters
from shared.ports import PortTakenError, check_port_free

log = get_logger(__name__)

STOP_GRACE_SECONDS = 15


@dataclass(frozen=True)
class Component:
    name: str
    module: str


def components(settings: Settings) -> list[Component]:
    services = [Component(name, f"services.{name}") for name in settings.services]
    return [
        Component("eventlog", "shared.eventlog"),
        *services,
        Component("gateway", "gateway"),
        Component("projector", "gateway.projector"),  # waits for the gateway's migrations
    ]


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
    """Starts the processes, restarts one that dies (``gravity.restarts``), and stops them
    all on Ctrl-C or when one keeps dying."""

    def __init__(self, settings: Settings, environ: dict[str, str]) -> None:
        self.settings = settings
        self.environ = environ
        self.components = {component.name: component for component in components(settings)}
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.book = RestartBook(RestartPolicy.from_settings(settings.supervision))
        self._restart_at: dict[str, float] = {}
        self._announced = False
        # The retention schedule's daily run (gravity.retention_run), an hour after the start.
        self.retention = DailyRetention(settings, environ, first_delay=3600)

    def start(self) -> None:
        protect_data_files(self.settings)  # the children inherit the umask 077
        Path(self.settings.data_dir).mkdir(parents=True, exist_ok=True)
        # Every producer's key exists before the log and the consumers read the registry.
        for producer in producers(self.settings):  # the services and the gateway
            ensure_producer_key(self.settings, producer)
        if not self.settings.is_production and not self.settings.lookup_key_file:
            make_lookup_key(lookup_key_path(self.settings))  # keys the ID-number index
        for name in self.components:
            self._spawn(name)
            if name == "eventlog":
                # The log creates its queue bindings first, so no early event is unrouted.
                time.sleep(1.0)

    def _spawn(self, name: str) -> None:
        self.processes[name] = subprocess.Popen(  # noqa: S603 - our own modules
            [sys.executable, "-m", self.components[name].module],
            env=self.environ,
            # Own session: Ctrl-C reaches only the supervisor, which stops the children
            # in order with SIGTERM.
            start_new_session=True,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - only calls prctl, no locks
        )

    def ready(self) -> bool:
        url = f"http://{self.settings.gateway_host}:{self.settings.gateway_port}/readyz"
        try:
            return requests.get(url, timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def exited(self) -> dict[str, int]:
        return {
            name: code
            for name, process in self.processes.items()
            if name not in self._restart_at and (code := process.poll()) is not None
        }

    def watch(self) -> int:
        """Supervise until Ctrl-C (0) or until a process died more often than the policy
        allows (1): a dead process is restarted after its back-off."""
        while True:
            for name, code in self.exited().items():
                pause = self.book.failed(name)
                failures = self.book.failures(name)
                policy = self.book.policy
                if pause is None:
                    log.error(
                        "supervisor.giving_up",
                        component=name,
                        exit_code=code,
                        failures=failures,
                        window_seconds=policy.window_seconds,
                    )
                    return 1
                log.warning(
                    "supervisor.restarting",
                    component=name,
                    exit_code=code,
                    restart_in_seconds=pause,
                    failures=failures,
                    max_restarts=policy.max_restarts,
                    window_seconds=policy.window_seconds,
                )
                self._restart_at[name] = time.monotonic() + pause
            for name, due in list(self._restart_at.items()):
                if due <= time.monotonic():
                    del self._restart_at[name]
                    self._spawn(name)
                    log.info("supervisor.restarted", component=name, pid=self.processes[name].pid)
            if not self._announced and self.ready():
                self._announce()
            self.retention.tick()
            time.sleep(0.5)

    def _announce(self) -> None:
        self._announced = True
        base = f"http://{self.settings.gateway_host}:{self.settings.gateway_port}"
        print(
            f"gravity: up. Gateway {base}/api/v1 (OpenAPI at {base}/openapi.json); "
            f"data in {self.settings.data_dir}. Ctrl-C stops.",
            file=sys.stderr,
        )

    def stop(self) -> None:
        self.retention.stop()
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
    """Run every process until Ctrl-C or SIGTERM; an unsafe production configuration or a
    taken gateway port stops it before any process starts. An unreachable broker does not:
    the processes wait for it, and the suite is ready once it comes."""
    try:
        settings.check_safe_to_run()
        if settings.is_production and "recruitment" in settings.services:
            load_lookup_key(lookup_key_path(settings))  # recruitment would refuse to start
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
    configure_logging("gravity", settings.log_format, settings.log_level)
    if not broker_reachable(settings.amqp_uri):
        print(broker_help(settings.amqp_uri), file=sys.stderr)
        print("gravity: starting anyway; the suite is ready once the broker is.", file=sys.stderr)
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
        return supervisor.watch()
    except KeyboardInterrupt:
        print("gravity: stopping", file=sys.stderr)
        return 0
    finally:
        supervisor.stop()
