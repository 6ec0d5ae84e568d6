"""The image's health check (Docker HEALTHCHECK, Kubernetes exec probes).

It finds the Gravity process in the container (``python -m <module>``) and asks the question
that matters for it: the gateway must answer ``/readyz``; a service or the event log must have
a consumer on its queue at the broker (``rpc-<service>``, ``gravity.eventlog``), which it has
only while it is connected and working; the read models' projector must have polled the event
log within the last minute (its heartbeat file). Anything else (a one-shot ``migrate``, a shell) is
healthy. Exit 0 = healthy, 1 = not, with the reason on stdout (``docker inspect`` shows it).

A failure is *dead* when the process itself is at fault (the broker answers but the queue has
no consumer; the gateway does not answer at all), and *unready* when a dependency is down.
Docker does not restart an unhealthy container, so with ``GRAVITY_HEALTHCHECK_RESTART_AFTER=N``
(docker-compose.yml sets it) N dead checks in a row kill the process, and the container's
restart policy replaces it; the container must run under an init (compose ``init: true``),
because PID 1 cannot be killed from inside. Kubernetes' liveness probe does this by itself
(``healthcheck.py --liveness`` fails on dead checks only, so a broker outage restarts nothing).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from entrypoint import components, connection_environment

from gateway.projector.heartbeat import heartbeat_file, heartbeat_problem
from shared.config import load_settings
from shared.messaging.topology import EVENT_LOG_QUEUE

TIMEOUT_SECONDS = 5.0
# nameko's RPC queue name (nameko.rpc.RPC_QUEUE_TEMPLATE); importing nameko here is too slow.
RPC_QUEUE_TEMPLATE = "rpc-{}"
FAILURES_FILE = Path("/tmp/gravity-health-failures")  # noqa: S108 - per-container, not shared


@dataclass(frozen=True)
class Verdict:
    problem: str | None = None
    dead: bool = False  # the process is at fault, not one of its dependencies


@dataclass(frozen=True)
class GravityProcess:
    pid: int
    module: str
    started: str  # start time in clock ticks since boot: tells a restarted process apart


def running_module(cmdline: bytes) -> str | None:
    """The ``-m`` module of a ``python -m <module>`` command line, NUL-separated."""
    arguments = cmdline.decode(errors="replace").split("\0")
    for index, argument in enumerate(arguments[:-1]):
        if argument == "-m":
            return arguments[index + 1]
    return None


def find_process(proc: Path = Path("/proc")) -> GravityProcess | None:
    """The container's ``python -m`` process: PID 1, or the child of an init."""
    for pid in sorted(int(entry.name) for entry in proc.iterdir() if entry.name.isdigit()):
        try:
            module = running_module((proc / str(pid) / "cmdline").read_bytes())
            stat = (proc / str(pid) / "stat").read_text()
        except OSError:
            continue
        if module is not None:
            return GravityProcess(pid, module, stat.rsplit(")", 1)[1].split()[19])
    return None


def queue_for(module: str) -> str | None:
    if module == "shared.eventlog":
        return EVENT_LOG_QUEUE
    if module.startswith("services."):
        return RPC_QUEUE_TEMPLATE.format(module.split(".")[1])
    return None


def check_gateway(port: int) -> Verdict:
    try:
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/readyz", timeout=TIMEOUT_SECONDS
        ) as response:
            return Verdict() if response.status == 200 else Verdict(f"/readyz {response.status}")
    except urllib.error.HTTPError as error:
        return Verdict(f"/readyz answered {error.code}")  # serving; a dependency is down
    except OSError as error:
        return Verdict(f"/readyz failed: {error}", dead=True)


def check_consumer(amqp_uri: str, queue: str) -> Verdict:
    import pika
    import pika.exceptions

    parameters = pika.URLParameters(amqp_uri)
    parameters.connection_attempts = 1
    parameters.socket_timeout = TIMEOUT_SECONDS
    parameters.stack_timeout = TIMEOUT_SECONDS
    try:
        connection = pika.BlockingConnection(parameters)
    except pika.exceptions.AMQPError as error:
        return Verdict(f"broker unreachable: {type(error).__name__}")
    try:
        declared = connection.channel().queue_declare(queue, passive=True)
        consumers = int(declared.method.consumer_count)
    except pika.exceptions.AMQPError as error:
        return Verdict(f"queue {queue} is missing: {type(error).__name__}", dead=True)
    finally:
        if connection.is_open:
            connection.close()
    return Verdict() if consumers > 0 else Verdict(f"queue {queue} has no consumer", dead=True)


def check_projector() -> Verdict:
    """The projector serves nothing and consumes no queue: its heartbeat file says whether it
    still polls the event log (``gateway.projector.heartbeat``)."""
    path = heartbeat_file()
    if path is None:
        return Verdict()
    problem, dead = heartbeat_problem(path)
    return Verdict(problem, dead)


def count_dead_checks(process: GravityProcess, dead: bool) -> int:
    """Consecutive dead checks of this very process (a restarted one starts from zero)."""
    key = f"{process.pid} {process.started}"
    try:
        previous_key, previous = FAILURES_FILE.read_text().rsplit(" ", 1)
        count = int(previous) if previous_key == key else 0
    except (OSError, ValueError):
        count = 0
    count = count + 1 if dead else 0
    FAILURES_FILE.write_text(f"{key} {count}")
    return count


def replace_if_wedged(process: GravityProcess, verdict: Verdict) -> None:
    limit = int(os.environ.get("GRAVITY_HEALTHCHECK_RESTART_AFTER", "0") or 0)
    dead_checks = count_dead_checks(process, verdict.dead)
    if limit <= 0 or dead_checks < limit or process.pid == 1:
        return
    notice = (
        f'{{"event": "healthcheck.killing_wedged_process", "level": "error", '
        f'"process": "{process.module}", "dead_checks": {dead_checks}, '
        f'"problem": "{verdict.problem}"}}\n'
    )
    # Into the container's log (PID 1's stderr), where operators look.
    with contextlib.suppress(OSError), open("/proc/1/fd/2", "w") as container_log:
        container_log.write(notice)
    os.kill(process.pid, signal.SIGKILL)


def main(argv: list[str]) -> int:
    """``--liveness``: fail only when the process is at fault (Kubernetes' liveness probe,
    which restarts the container); otherwise fail on any problem (readiness, Docker health)."""
    liveness = argv == ["--liveness"]
    process = find_process()
    if process is None:
        return 0
    settings = load_settings()
    os.environ.update(connection_environment(os.environ, components(settings)))
    settings = load_settings()
    if process.module == "gateway":
        verdict = check_gateway(settings.gateway_port)
    elif process.module == "gateway.projector":
        verdict = check_projector()
    else:
        queue = queue_for(process.module)
        verdict = check_consumer(settings.amqp_uri, queue) if queue else Verdict()
    replace_if_wedged(process, verdict)
    if verdict.problem and (verdict.dead or not liveness):
        print(verdict.problem)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
