"""The suite as real processes: ``gravity up`` on a throw-away vhost, data dir and port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class RunningSuite:
    base_url: str
    environ: dict[str, str]
    log_path: Path

    def gravity(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a ``gravity`` CLI command against this suite."""
        result = subprocess.run(
            [sys.executable, "-m", "gravity.cli", *args],
            env=self.environ,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"gravity {args} failed: {result.stdout}\n{result.stderr}")
        return result

    def token(self, role: str, subject: str) -> str:
        return self.gravity("token", "--role", role, "--subject", subject).stdout.strip()


@pytest.fixture
def suite(rabbit_config, tmp_path) -> Iterator[RunningSuite]:
    port = free_port()
    environ = {
        **os.environ,
        "GRAVITY_AMQP_URI": rabbit_config["AMQP_URI"].replace("pyamqp://", "amqp://"),
        "GRAVITY_DATA_DIR": str(tmp_path / "var"),
        "GRAVITY_GATEWAY_PORT": str(port),
        "GRAVITY_LOG_FORMAT": "json",
    }
    log_path = tmp_path / "suite.log"
    with log_path.open("w") as log:
        # Started as a shell starts a background job (`gravity up &`): with SIGINT ignored.
        # The SIGINT below must stop the suite all the same.
        process = subprocess.Popen(
            [sys.executable, "-m", "gravity.cli", "up"],
            env=environ,
            stdout=log,
            stderr=log,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),  # noqa: PLW1509
        )
        running = RunningSuite(f"http://127.0.0.1:{port}", environ, log_path)
        try:
            _wait_ready(running, process)
            yield running
        finally:
            process.send_signal(signal.SIGINT)
            try:
                exit_code = process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                raise
    assert exit_code == 0, log_path.read_text()[-3000:]
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{running.base_url}/healthz", timeout=2)


def _wait_ready(suite: RunningSuite, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gravity up exited: {suite.log_path.read_text()[-3000:]}")
        try:
            if requests.get(f"{suite.base_url}/readyz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise AssertionError(f"suite not ready: {suite.log_path.read_text()[-3000:]}")
