"""``gravity up`` says "up" only once every service answers RPC: the first command after the
announcement succeeds, without a 503."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import requests

from tests.e2e.conftest import free_port


def test_the_first_command_after_gravity_up_announces_up_succeeds(rabbit_config, tmp_path):
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
        process = subprocess.Popen(
            [sys.executable, "-m", "gravity.cli", "up"], env=environ, stdout=log, stderr=log
        )
        try:
            deadline = time.monotonic() + 90
            while "gravity: up." not in log_path.read_text():
                assert process.poll() is None, log_path.read_text()[-3000:]
                assert time.monotonic() < deadline, log_path.read_text()[-3000:]
                time.sleep(0.05)
            command = ["token", "--role", "operator", "--subject", "op-1"]
            token = subprocess.run(
                [sys.executable, "-m", "gravity.cli", *command],
                env=environ,
                capture_output=True,
                text=True,
                check=True,
                timeout=60,
            ).stdout.strip()
            first = requests.post(
                f"http://127.0.0.1:{port}/api/v1/campaigns",
                headers={"Authorization": f"Bearer {token}"},
                json=_campaign(),
                timeout=30,
            )
            assert first.status_code == 201, first.text
            checks = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=10).json()["checks"]
            assert {checks[s] for s in ("recruitment", "placement", "volunteering", "honors")} == {
                "up"
            }
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(30)


def _campaign():
    now = datetime.now(UTC)
    return {
        "name": "Gravity Plan summer",
        "year": now.year,
        "season": "summer",
        "registration_opens_at": (now - timedelta(days=1)).isoformat(),
        "registration_closes_at": (now + timedelta(days=30)).isoformat(),
        "scope": "home-district university students",
        "practice_content": "host units and summer classrooms",
    }
