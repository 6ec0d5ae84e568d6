"""One season, end to end, against the suite running as separate processes."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import requests

from tests.e2e.conftest import free_port
from tests.factories import make_resident_id


def wait_for(fetch, condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if condition(value):
            return value
        assert time.monotonic() < deadline, f"never satisfied; last value: {value}"
        time.sleep(0.1)


def registration(seed: int, **overrides):
    body = {
        "name": "孙悦",
        "phone": "13912345678",
        "id_number": make_resident_id(seed),
        "university": "Henan University",
        "major": "Law",
        "grade": "junior",
        "hometown": "Beiguan Town",
        "channel": "organisation",
    }
    body.update(overrides)
    return body


def test_a_season_runs_end_to_end_and_the_log_verifies_and_replays(suite):
    operator = {"Authorization": f"Bearer {suite.token('operator', 'op-1')}"}
    api = f"{suite.base_url}/api/v1"
    now = datetime.now(UTC)
    created = requests.post(
        f"{api}/campaigns",
        headers=operator,
        timeout=10,
        json={
            "name": "Gravity Plan summer",
            "year": now.year,
            "season": "summer",
            "registration_opens_at": (now - timedelta(days=1)).isoformat(),
            "registration_closes_at": (now + timedelta(days=30)).isoformat(),
            "scope": "home-district students",
            "practice_content": "host units",
        },
    )
    assert created.status_code == 201, created.text
    campaign_id = created.json()["campaign_id"]
    assert (
        requests.post(
            f"{api}/campaigns/{campaign_id}/open", headers=operator, timeout=10
        ).status_code
        == 200
    )

    approved = requests.post(
        f"{api}/campaigns/{campaign_id}/registrations",
        headers=operator,
        json=registration(1),
        timeout=10,
    )
    assert approved.status_code == 201, approved.text
    approved_id = approved.json()["student_id"]

    self_id = str(uuid.uuid4())
    student = {"Authorization": f"Bearer {suite.token('student', self_id)}"}
    own = requests.post(
        f"{api}/campaigns/{campaign_id}/registrations",
        headers=student,
        json=registration(2, channel="self", university="Wuhan University"),
        timeout=10,
    )
    assert own.status_code == 201, own.text
    assert own.json()["student_id"] == self_id

    duplicate = requests.post(
        f"{api}/campaigns/{campaign_id}/registrations",
        headers=operator,
        json=registration(1),
        timeout=10,
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["error"] == "DUPLICATE_REGISTRATION"

    screened = requests.post(
        f"{api}/students/{approved_id}/screening",
        headers=operator,
        json={"decision": "approved", "reason": "strong candidate"},
        timeout=10,
    )
    assert screened.status_code == 200, screened.text
    assert (
        requests.post(
            f"{api}/students/{self_id}/withdrawal",
            headers=student,
            json={"reason": "family plans"},
            timeout=10,
        ).status_code
        == 200
    )

    profile = wait_for(
        lambda: requests.get(f"{api}/students/{self_id}", headers=student, timeout=10),
        lambda r: r.status_code == 200 and r.json().get("status") == "withdrawn",
    ).json()
    assert profile["name"] == "孙悦"
    assert (
        requests.get(f"{api}/students/{approved_id}", headers=student, timeout=10).status_code
        == 404
    )

    report = wait_for(
        lambda: requests.get(
            f"{api}/campaigns/{campaign_id}/report", headers=operator, timeout=10
        ).json(),
        lambda r: r.get("approved") == 1 and r.get("withdrawn") == 1,
    )
    assert report["registered"] == 2

    verified = suite.gravity("audit", "verify")
    assert "ok" in verified.stdout.lower() or "verified" in verified.stdout.lower()
    lines = suite.gravity("audit", "events", "--type", "StudentRegistered").stdout.splitlines()
    registered = [json.loads(line) for line in lines]
    assert len(registered) == 2
    assert all("孙悦" not in line for line in lines)
    # Every event was signed by its producer's key (made by gravity up) and none refused.
    assert all(line["event"]["key_id"] and line["event"]["signature"] for line in registered)
    assert suite.gravity("audit", "quarantine").stdout.strip() == ""
    assert suite.gravity("audit", "replay", "--quiet").returncode == 0


def test_gravity_up_explains_an_unreachable_broker_and_waits_for_it(tmp_path):
    log_path = tmp_path / "up.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gravity.cli", "up"],
            env={
                "GRAVITY_AMQP_URI": "amqp://guest:guest@127.0.0.1:1/",
                "GRAVITY_DATA_DIR": str(tmp_path),
                "GRAVITY_GATEWAY_PORT": str(free_port()),
                "PATH": "/usr/bin:/bin",
            },
            stdout=log,
            stderr=log,
        )
        try:
            deadline = time.monotonic() + 60
            while "starting anyway" not in log_path.read_text():
                assert process.poll() is None, log_path.read_text()[-3000:]
                assert time.monotonic() < deadline, log_path.read_text()[-3000:]
                time.sleep(0.2)
            assert process.poll() is None  # the processes wait for the broker
        finally:
            process.send_signal(signal.SIGINT)
            exit_code = process.wait(30)
    assert "RabbitMQ is not reachable at 127.0.0.1:1" in log_path.read_text()
    assert exit_code == 0
