"""A service process stops on SIGTERM even when its broker has gone away."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.support.broker import delete_vhost, throwaway_vhost


@pytest.fixture
def amqp_uri():
    with throwaway_vhost("gravity-process") as uri:
        yield uri


def log_events(path):
    events = []
    for line in path.read_text().splitlines():
        try:
            events.append(json.loads(line).get("event"))
        except json.JSONDecodeError:
            continue  # a library's own line
    return events


def test_a_service_whose_broker_vanished_still_stops_on_sigterm(amqp_uri, tmp_path):
    log_path = tmp_path / "recruitment.log"
    environ = {
        **os.environ,
        "GRAVITY_AMQP_URI": amqp_uri,
        "GRAVITY_DATA_DIR": str(tmp_path),
        "GRAVITY_LOG_FORMAT": "json",
    }
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "services.recruitment"], env=environ, stdout=log, stderr=log
        )
    try:
        deadline = time.monotonic() + 60
        while "process.started" not in log_events(log_path):
            assert process.poll() is None, log_path.read_text()[-2000:]
            assert time.monotonic() < deadline, "the service never started"
            time.sleep(0.2)
        # Deleting the vhost closes the service's connections and refuses its reconnects.
        delete_vhost(amqp_uri.rsplit("/", 1)[1])
        time.sleep(1)
        process.send_signal(signal.SIGTERM)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "process.stopped" in log_events(log_path)
