"""What nameko alone costs a registration's message shape, beside the suite, in one run.

Issue 14 asks for at most 4 ms of CPU per registration summed over the suite's own processes,
and to keep nameko RPC between the gateway and the services unless it is measured that it
cannot reach that. This bench measures the framework's part with no domain work at all
(bench/floor_services.py, plain nameko, no database, nothing of the product), under the same
load as bench/registrations.py (N keep-alive clients POSTing registration bodies for a fixed
time), in these shapes, each in processes of its own:

* ``http``: nameko's HTTP entrypoint parses the JSON body and answers 201 (the gateway's edge);
* ``rpc``: the same, after a nameko RPC call to a second process (gateway -> recruitment), sent
  as the product sends it (``shared.rpc``); ``plain-rpc``: with nameko's own ``RpcProxy``;
* ``events``: the same, and the called service dispatches one event that two more processes
  consume (the event log and placement consuming ``StudentRegistered``);
* ``lean-rpc`` and ``lean-events``: ``rpc`` and ``events`` with the service side (the called
  service and the two consumers) as plain py-amqp loops (bench/lean_services.py: one channel,
  no eventlet, no nameko container, batched acks and confirms) behind the same nameko edge:
  what a leaner transport would save; ``green-rpc``: ``lean-rpc`` with the registrar under
  eventlet, a green thread per request (the lean loop inside the services' runtime);
  ``green-client``: ``rpc`` with the edge's call on plain py-amqp connections under eventlet
  (bench/floor_services.py's ``LeanCall``) instead of nameko's proxy; ``green-both``: that
  client and the ``green-rpc`` registrar.

With ``--suite`` the suite itself (``gravity up`` of the working tree, bench/registrations.py's
measurement) runs in the same run, so the floor and the product compare on one machine at one
time. CPU per request per process is read from /proc (bench/cpu.py). With ``--profile DIR``
every floor process runs bench/profiled's sampler over the timed load and writes
``DIR/<module>-<pid>.txt``.

    .venv/bin/python bench/rpc_floor.py [--clients 8] [--seconds 15] [--rounds 1] [--suite]
                                        [--profile DIR] [--shapes http,rpc,lean-rpc,...]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cpu import BROKER, LOAD_GENERATOR, CpuMeter, Usage, ms_of_the_suite
from bench.load import keep_posting
from bench.support import free_port, percentile, throwaway_vhost

REPO = Path(__file__).resolve().parent.parent
PROFILED = Path(__file__).resolve().parent / "profiled"
MODES = (
    "http",
    "plain-rpc",
    "rpc",
    "lean-rpc",
    "green-rpc",
    "green-client",
    "green-both",
    "events",
    "lean-events",
)
MS = 1000.0


@dataclass(frozen=True)
class Measured:
    label: str
    requests: int
    errors: int
    latencies: list[float]
    cpu: Usage

    def ms(self, label: str) -> float:
        return self.cpu.seconds.get(label, 0.0) * MS / max(self.requests, 1)


def registration_bodies(count: int) -> Iterator[tuple[str, str]]:
    """Bodies of a registration's size and shape (the product's fields, made-up values)."""
    for number in range(count):
        body = {
            "student_id": str(uuid.uuid4()),
            "name": f"Student {number}",
            "phone": f"138{number:08d}",
            "id_number": f"41010219900101{number % 10000:04d}",
            "university": "Zhengzhou University",
            "major": "Civil Engineering",
            "grade": "junior",
            "hometown": "Jinshui District",
            "channel": "campus_talk",
            "intended_units": ["District Water Bureau"],
            "consent": True,
        }
        yield "/registrations", json.dumps(body)


@contextlib.contextmanager
def floor_processes(
    mode: str, amqp_uri: str, port: int, profile: str | None
) -> Iterator[dict[str, list[int]]]:
    """The shape's nameko processes, started and ready; stopped (SIGINT, then SIGKILL) after."""
    roles = {"edge (the gateway's place)": "Edge"}
    if mode != "http":  # the registrar
        roles["registrar (recruitment's place)"] = "Registrar"
    if mode.endswith("events"):
        roles["listener 1 (the event log's place)"] = "Listener"
        roles["listener 2 (placement's place)"] = "Listener"
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "config.yaml"
        config.write_text(
            json.dumps({"AMQP_URI": amqp_uri, "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}"})
        )
        started: dict[str, subprocess.Popen[bytes]] = {}
        try:
            for number, (label, service) in enumerate(roles.items()):
                path = f"{PROFILED}{os.pathsep}{REPO}" if profile else str(REPO)
                environ = {
                    **os.environ,
                    "PYTHONPATH": path,
                    "GRAVITY_BENCH_PROFILE_DIR": profile or "",
                    "FLOOR_MODE": mode if mode in ("http", "events") else "rpc",
                    "FLOOR_RPC": {
                        "plain-rpc": "plain",
                        "green-client": "lean",
                        "green-both": "lean",
                    }.get(mode, "product"),
                    "FLOOR_LISTENER": f"listener_{number}",
                }
                started[label] = subprocess.Popen(
                    _command(mode, service, config, amqp_uri, f"listener_{number}"),
                    cwd=REPO,
                    env=environ,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            _wait_ready(port, mode, started)
            yield {label: [process.pid] for label, process in started.items()}
        finally:
            for process in started.values():
                if process.poll() is None:
                    process.send_signal(signal.SIGINT)
            for process in started.values():
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def _command(mode: str, service: str, config: Path, amqp_uri: str, name: str) -> list[str]:
    """A nameko service of bench/floor_services.py; in the ``lean-*`` shapes the registrar
    and the listeners are bench/lean_services.py's plain py-amqp loops instead, in
    ``green-rpc`` and ``green-both`` the registrar is that loop under eventlet."""
    if (mode.startswith("lean-") or mode in ("green-rpc", "green-both")) and service != "Edge":
        lean = [sys.executable, str(REPO / "bench" / "lean_services.py")]
        if service == "Listener":
            return [*lean, "listener", amqp_uri, name]
        flags = {"lean-events": "--events", "green-rpc": "--green", "green-both": "--green"}
        return [*lean, "registrar", amqp_uri, *([flags[mode]] if mode in flags else [])]
    nameko = str(Path(sys.executable).parent / "nameko")
    return [nameko, "run", "--config", str(config), f"bench.floor_services:{service}"]


def _wait_ready(port: int, mode: str, started: dict[str, subprocess.Popen[bytes]]) -> None:
    """Until a registration is answered 201 (every process up, its queues declared)."""
    _, body = next(registration_bodies(1))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in started.values()):
            break
        with contextlib.suppress(requests.RequestException):
            url = f"http://127.0.0.1:{port}/registrations"
            if requests.post(url, data=body, timeout=2).status_code == 201:
                time.sleep(1)  # the listeners' queues are bound once they are up
                return
        time.sleep(0.3)
    raise SystemExit(f"the {mode} shape did not start (is `nameko` in the venv?)")


def measure_floor(mode: str, clients: int, seconds: float, profile: str | None) -> Measured:
    with throwaway_vhost("gravity-floor") as amqp_uri:
        port = free_port()
        with floor_processes(mode, amqp_uri, port, profile) as processes:
            meter = CpuMeter(processes=processes)
            if profile:
                _switch_profilers(processes)
            before = meter.read()
            work = registration_bodies(int(seconds * 2000) + 1000)
            latencies, errors = keep_posting(f"http://127.0.0.1:{port}", {}, work, clients, seconds)
            usage = meter.usage(before, meter.read())
            if profile:
                _switch_profilers(processes)
    return Measured(f"nameko alone: {mode}", len(latencies), sum(errors.values()), latencies, usage)


def _switch_profilers(processes: dict[str, list[int]]) -> None:
    """Starts (or stops and writes) each floor process's sampler (bench/profiled)."""
    for pids in processes.values():
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGUSR1)


def measure_suite(clients: int, seconds: float) -> Measured:
    from bench.registrations import measure
    from bench.suite import source_tree

    with source_tree(None) as tree:
        run = measure(tree, clients, seconds, 2024, relay=False)
    return Measured(
        f"the suite: {tree.label}",
        len(run.latencies),
        sum(run.errors.values()),
        run.latencies,
        run.cpu,
    )


def report(runs: list[Measured], clients: int) -> None:
    print(f"\n== nameko's floor beside the suite, {clients} clients, one run ==")
    for run in runs:
        own = ms_of_the_suite(run.cpu, run.requests)
        rate = run.requests / run.cpu.wall
        print(f"\n{run.label}: {run.requests} requests, {run.errors} errors, {rate:.0f}/s")
        print(
            f"  latency p50 {percentile(run.latencies, 0.5) * MS:.1f} ms,"
            f" p99 {percentile(run.latencies, 0.99) * MS:.1f} ms"
        )
        print(
            f"  CPU ms per request, own processes (broker and load generator excluded): {own:.2f}"
        )
        for label in run.cpu.seconds:
            if label not in (BROKER, LOAD_GENERATOR) and run.ms(label) >= 0.005:
                print(f"    {label:<48}{run.ms(label):>8.2f}")
        print(f"    {'RabbitMQ (machine-wide)':<48}{run.ms(BROKER):>8.2f}")
        print(f"    {'load generator':<48}{run.ms(LOAD_GENERATOR):>8.2f}")
        print(
            f"  other work on the machine {run.cpu.rest:.1f} CPU s,"
            f" stolen by the hypervisor {run.cpu.stolen:.2f} s, over {run.cpu.wall:.1f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--suite", action="store_true", help="also the suite, in the same run")
    parser.add_argument("--profile", metavar="DIR", help="sample the floor processes' CPU")
    parser.add_argument(
        "--shapes", default=",".join(MODES), help=f"which, comma-separated (default {MODES})"
    )
    arguments = parser.parse_args()
    shapes = arguments.shapes.split(",")
    if unknown := set(shapes) - set(MODES):
        parser.error(f"unknown shapes {sorted(unknown)}; known: {', '.join(MODES)}")
    runs: list[Measured] = []
    for round_number in range(1, arguments.rounds + 1):
        for mode in shapes:
            print(f"round {round_number}: {mode} ...", flush=True)
            runs.append(
                measure_floor(mode, arguments.clients, arguments.seconds, arguments.profile)
            )
        if arguments.suite:
            print(f"round {round_number}: the suite ...", flush=True)
            runs.append(measure_suite(arguments.clients, arguments.seconds))
    report(runs, arguments.clients)


if __name__ == "__main__":
    main()
