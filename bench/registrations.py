"""Registrations through the gateway with N concurrent clients, and the lag behind them.

Starts the suite (``gravity up``) on a throw-away vhost and data dir, registers students for
a fixed time, then prints throughput, request latency, and how long each event took to reach
the event log and the gateway's read model. In the same run it prints the outbox relay's
publish rate beside a raw pika loop (bench/relay.py).

    .venv/bin/python bench/registrations.py [--clients 16] [--seconds 20]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests

from bench import relay as relay_bench
from bench.support import free_port, percentile, throwaway_vhost
from gravity.demo import registrations
from shared.eventlog.reader import EventLogReader
from shared.eventstore.database import create_database_engine
from shared.logging import configure_logging


def start_suite(amqp_uri: str, data_dir: str, port: int) -> subprocess.Popen[bytes]:
    environ = {
        **os.environ,
        "GRAVITY_AMQP_URI": amqp_uri,
        "GRAVITY_DATA_DIR": data_dir,
        "GRAVITY_GATEWAY_PORT": str(port),
        "GRAVITY_LOG_LEVEL": "warning",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gravity.cli", "up"],
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return process
        except requests.RequestException:
            pass
        time.sleep(0.3)
    process.kill()
    raise SystemExit("the suite did not become ready")


def token(data_dir: str) -> str:
    from gateway.core.tokens import issue_token
    from shared.config import load_settings

    return issue_token(load_settings(environ={"GRAVITY_DATA_DIR": data_dir}), "operator", "bench")


def open_campaign(base: str, headers: dict[str, str]) -> str:
    now = datetime.now(UTC)
    response = requests.post(
        f"{base}/campaigns",
        headers=headers,
        timeout=10,
        json={
            "name": "bench",
            "year": now.year,
            "season": "summer",
            "registration_opens_at": (now - timedelta(days=1)).isoformat(),
            "registration_closes_at": (now + timedelta(days=1)).isoformat(),
            "scope": "bench",
            "practice_content": "bench",
        },
    )
    response.raise_for_status()
    campaign_id = str(response.json()["campaign_id"])
    requests.post(
        f"{base}/campaigns/{campaign_id}/open", headers=headers, timeout=10
    ).raise_for_status()
    return campaign_id


def drive(
    base: str,
    headers: dict[str, str],
    campaign_id: str,
    clients: int,
    seconds: float,
    observer: ReadModelObserver,
) -> tuple[list[float], Counter[int]]:
    """Each client registers in a loop; returns the latencies and the errors by status."""
    latencies: list[float] = []
    errors: Counter[int] = Counter()
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    bodies = iter(registrations(10_000_000, seed=int(time.time())))

    def client() -> None:
        # http.client on a kept-alive connection: the load generator shares the two cores
        # with the suite, so it should spend as little CPU per request as it can.
        host, port = base.split("//")[1].split("/", maxsplit=1)[0].split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        path = f"/api/v1/campaigns/{campaign_id}/registrations"
        request_headers = {**headers, "Content-Type": "application/json"}
        while time.monotonic() < stop_at:
            with lock:
                body = json.dumps(next(bodies))
            started = time.perf_counter()
            connection.request("POST", path, body=body, headers=request_headers)
            response = connection.getresponse()
            payload = response.read()
            elapsed = time.perf_counter() - started
            with lock:
                if response.status == 201:
                    latencies.append(elapsed)
                    if len(latencies) % 25 == 0:
                        student_id = json.loads(payload)["student_id"]
                        observer.samples.put((student_id, time.monotonic()))
                else:
                    errors[response.status] += 1
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors


class ReadModelObserver(threading.Thread):
    """During the run, polls a sample of new profiles until the read model shows them."""

    def __init__(self, base: str, headers: dict[str, str]) -> None:
        super().__init__(daemon=True)
        self.samples: queue.Queue[tuple[str, float] | None] = queue.Queue()
        self.lags: list[float] = []
        self.session = requests.Session()
        self.session.headers.update(headers)
        self.base = base

    def run(self) -> None:
        while (sample := self.samples.get()) is not None:
            student_id, posted = sample
            while (
                self.session.get(f"{self.base}/students/{student_id}", timeout=10).status_code
                != 200
            ):
                time.sleep(0.002)
            self.lags.append(time.monotonic() - posted)
            # Skip what queued up meanwhile, so each sample is polled from its own POST.
            while self.samples.qsize() > 1:
                self.samples.get_nowait()


def event_log_lags(data_dir: str) -> list[float]:
    reader = EventLogReader(
        create_database_engine(f"sqlite:///{data_dir}/eventlog.db", reader=True)
    )
    lags, position = [], 0
    while batch := reader.read_after(position, 5000, event_type="StudentRegistered"):
        lags += [(e.recorded_at - e.envelope.occurred_at).total_seconds() for e in batch]
        position = batch[-1].position
    return lags


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    configure_logging("bench", "console", "warning")
    with throwaway_vhost("gravity-bench") as amqp_uri, tempfile.TemporaryDirectory() as data_dir:
        port = free_port()
        suite = start_suite(amqp_uri, data_dir, port)
        try:
            base = f"http://127.0.0.1:{port}/api/v1"
            headers = {"Authorization": f"Bearer {token(data_dir)}"}
            campaign_id = open_campaign(base, headers)
            observer = ReadModelObserver(base, headers)
            observer.start()
            latencies, errors = drive(
                base, headers, campaign_id, args.clients, args.seconds, observer
            )
            observer.samples.put(None)
            observer.join(30)
            time.sleep(2)  # let the log take in the last requests before reading its lags
            log_lags = event_log_lags(data_dir)
            model_lags = observer.lags
        finally:
            suite.send_signal(signal.SIGINT)
            suite.wait(60)
        relay_rate = relay_bench.relay_rate(amqp_uri, 20_000, 200)
        relay_bench.purge(amqp_uri)
        raw_rate = relay_bench.raw_pika_rate(amqp_uri, 20_000, 200)
    rate = len(latencies) / args.seconds
    ms = 1000.0
    print(
        f"registrations: {len(latencies)} in {args.seconds:.0f} s with {args.clients} clients"
        f", {sum(errors.values())} errors{f' {dict(errors)}' if errors else ''}"
        " (SQLite, one process per component, 2 cores)"
    )
    print(f"{'figure':<44}{'measured':>12}{'target':>12}")
    print(f"{'throughput (registrations/s)':<44}{rate:>12.0f}{'>= 200':>12}")
    print(f"{'request latency p50 (ms)':<44}{percentile(latencies, 0.5) * ms:>12.1f}")
    print(
        f"{'request latency p99 (ms)':<44}{percentile(latencies, 0.99) * ms:>12.1f}{'<= 150':>12}"
    )
    print(
        f"{'commit -> event log lag p99 (ms)':<44}{percentile(log_lags, 0.99) * ms:>12.1f}"
        f"{'<= 500':>12}"
    )
    print(
        f"{'POST done -> read model visible p99 (ms)':<44}"
        f"{percentile(model_lags, 0.99) * ms:>12.1f}{'<= 500':>12}  ({len(model_lags)} samples)"
    )
    print(f"{'raw pika publish, batched confirms (msg/s)':<44}{raw_rate:>12.0f}{'baseline':>12}")
    print(
        f"{'outbox relay publish (msg/s)':<44}{relay_rate:>12.0f}"
        f"{f'>= {raw_rate / 2:.0f}':>12}  ({relay_rate / raw_rate:.2f}x)"
    )


if __name__ == "__main__":
    main()
