"""The gateway's edge with the suite running as processes: a taken port refused before
anything starts, and slow clients that cannot stall the gateway."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.conftest import RunningSuite, _wait_ready, free_port

SLOW_CONNECTIONS = 50
BODY_TIMEOUT = 3


def held_port() -> socket.socket:
    """A port held as a second server would find it: eventlet binds with SO_REUSEPORT."""
    holder = socket.socket()
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)
    return holder


def test_gravity_up_on_a_taken_port_exits_at_once_naming_the_port_and_its_holder(tmp_path):
    with held_port() as holder:
        port = holder.getsockname()[1]
        environ = {
            **os.environ,
            "GRAVITY_DATA_DIR": str(tmp_path / "var"),
            "GRAVITY_AMQP_URI": "amqp://guest:guest@127.0.0.1:1/",  # never reached
        }
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "gravity.cli", "up", "--port", str(port)],
            env=environ,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert time.monotonic() - started < 10
    assert result.returncode == 2
    assert f"127.0.0.1:{port} is taken (held by pid {os.getpid()}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "var").exists()  # no process was started


def test_the_gateway_process_refuses_a_taken_port_too(tmp_path):
    with held_port() as holder:
        environ = {
            **os.environ,
            "GRAVITY_DATA_DIR": str(tmp_path / "var"),
            "GRAVITY_GATEWAY_PORT": str(holder.getsockname()[1]),
        }
        result = subprocess.run(
            [sys.executable, "-m", "gateway"],
            env=environ,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert result.returncode == 2
    assert "is taken" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def impatient_suite(rabbit_config: dict[str, Any], tmp_path: Path) -> Iterator[RunningSuite]:
    """The suite with a short body deadline, so that the test sees slow clients closed."""
    port = free_port()
    environ = {
        **os.environ,
        "GRAVITY_AMQP_URI": rabbit_config["AMQP_URI"].replace("pyamqp://", "amqp://"),
        "GRAVITY_DATA_DIR": str(tmp_path / "var"),
        "GRAVITY_GATEWAY_PORT": str(port),
        "GRAVITY_LOG_FORMAT": "json",
        "GRAVITY_HTTP_BODY_TIMEOUT": str(BODY_TIMEOUT),
        "GRAVITY_HTTP_SLOW_PER_ADDRESS": str(SLOW_CONNECTIONS + 10),
    }
    log_path = tmp_path / "suite.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gravity.cli", "up"], env=environ, stdout=log, stderr=log
        )
        running = RunningSuite(f"http://127.0.0.1:{port}", environ, log_path)
        try:
            _wait_ready(running, process)
            yield running
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                raise


def open_slow_registration(port: int, token: str) -> socket.socket:
    """A registration that announces 50 bytes of body and sends 1."""
    client = socket.create_connection(("127.0.0.1", port), timeout=10)
    head = (
        f"POST /api/v1/campaigns/{uuid.uuid4()}/registrations HTTP/1.1\r\n"
        "Host: gravity\r\n"
        f"Authorization: Bearer {token}\r\n"
        "Content-Type: application/json\r\n"
        "Content-Length: 50\r\n\r\n{"
    )
    client.sendall(head.encode())
    return client


def test_fifty_slow_bodies_do_not_stall_health_or_api_and_are_closed_after_the_deadline(
    impatient_suite,
):
    port = int(impatient_suite.environ["GRAVITY_GATEWAY_PORT"])
    student = impatient_suite.token("student", str(uuid.uuid4()))
    operator = {"Authorization": f"Bearer {impatient_suite.token('operator', 'op-1')}"}
    opened = time.monotonic()
    slow = [open_slow_registration(port, student) for _ in range(SLOW_CONNECTIONS)]
    time.sleep(0.3)  # every one of them is now waiting for its body

    for path, headers in (("/healthz", {}), ("/readyz", {}), ("/api/v1/campaigns", operator)):
        started = time.monotonic()
        answer = requests.get(f"{impatient_suite.base_url}{path}", headers=headers, timeout=5)
        assert answer.status_code == 200, (path, answer.text)
        assert time.monotonic() - started < 1, path

    answers = []
    for client in slow:
        client.settimeout(BODY_TIMEOUT + 5)
        answers.append(client.recv(4096).split(b"\r\n", 1)[0])
        assert client.recv(4096) == b""  # and then closed
        client.close()
    assert set(answers) == {b"HTTP/1.1 408 Request Timeout"}
    assert BODY_TIMEOUT - 0.5 < time.monotonic() - opened < BODY_TIMEOUT + 5
