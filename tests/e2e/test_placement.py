"""The reference summer end to end: ``gravity up`` with recruitment, placement, volunteering
and honours as separate processes, ``gravity demo`` through the public API, then the
placements, volunteering and honours reports, a certificate verified by its QR code, and an
audit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.documents_factories import qr_codes, rasterise, write
from tests.e2e.conftest import RunningSuite, _wait_ready, free_port


@pytest.fixture
def placement_suite(rabbit_config: dict[str, Any], tmp_path: Path) -> Iterator[RunningSuite]:
    """Like the ``suite`` fixture, with placement added to the configured services."""
    default = resources.files("shared").joinpath("default_config.yaml").read_text("utf-8")
    config = tmp_path / "config.yaml"
    config.write_text(
        default.replace("services: [recruitment]", "services: [recruitment, placement]")
    )
    port = free_port()
    environ = {
        **os.environ,
        "GRAVITY_CONFIG": str(config),
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


def test_the_demo_reaches_the_reference_summers_placements_and_volunteering(
    placement_suite: RunningSuite, tmp_path: Path
) -> None:
    demo = subprocess.run(
        [sys.executable, "-m", "gravity.cli", "demo"],
        env=placement_suite.environ,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert "74 agreements at 20 host units, 74 started" in demo.stdout, demo.stdout
    campaign_id = demo.stdout.split()[1].rstrip(":")
    operator = {"Authorization": f"Bearer {placement_suite.token('operator', 'op-1')}"}
    report = requests.get(
        f"{placement_suite.base_url}/api/v1/campaigns/{campaign_id}/placements/report",
        headers=operator,
        timeout=10,
    ).json()
    assert (report["agreements"], report["host_units_involved"], report["seats"]["capacity"]) == (
        74,
        20,
        86,
    )
    assert (report["insured_rate"], report["trained_rate"], report["signed_rate"]) == (1, 1, 1)
    volunteering = requests.get(
        f"{placement_suite.base_url}/api/v1/campaigns/{campaign_id}/volunteering/report",
        headers=operator,
        timeout=10,
    ).json()
    kinds, entries = volunteering["by_kind"], volunteering["totals"]["hours_entries"]
    assert set(volunteering["by_subject"]) == {"painting", "paper_cutting", "calligraphy", "music"}
    assert kinds["classroom"]["children"] >= 590
    assert kinds["civilised_city"]["volunteers"] + kinds["river_cleanup"]["volunteers"] >= 20
    assert set(volunteering["by_topic"]) == {"drowning_prevention", "sanitation"}
    assert kinds["safety_talk"]["activities"] >= 10
    assert kinds["safety_talk"]["residents"] >= 1000
    assert entries["approved"] > 10 * entries["declined"] > 0
    assert entries["corrected"] == 1
    assert f"for {kinds['classroom']['children']} children" in demo.stdout, demo.stdout
    honours = requests.get(
        f"{placement_suite.base_url}/api/v1/campaigns/{campaign_id}/honours/report",
        headers=operator,
        timeout=10,
    ).json()
    assert honours["awards_by_title"]["ADV"] == {
        "name": "先进个人",
        "nominated": 0,
        "granted": 10,
        "revoked": 0,
    }
    assert honours["appointments"]["made"] == honours["appointments"]["active"] == 17
    assert honours["diaries"]["featured"] == 33
    assert honours["recommendations"]["sent"] == honours["recommendations"]["students"] > 0
    assert "10 advanced individuals with certificates" in demo.stdout, demo.stdout
    dashboard = requests.get(
        f"{placement_suite.base_url}/api/v1/campaigns/{campaign_id}/dashboard",
        headers=operator,
        timeout=30,
    ).json()
    assert {name: dashboard["stages"][name] for name in ("placed", "host_units")} == {
        "placed": 74,
        "host_units": 20,
    }
    assert dashboard["volunteering"]["totals"] == volunteering["totals"]
    assert dashboard["honors"]["certificates"] == {"issued": 10, "valid": 10, "revoked": 0}
    assert dashboard["honors"]["appointments"]["made"] == 17
    assert "transcripts for 74 placed students" in demo.stdout, demo.stdout
    granted = placement_suite.gravity("audit", "events", "--type", "AwardGranted").stdout
    assert len(granted.splitlines()) == 10
    awards = requests.get(
        f"{placement_suite.base_url}/api/v1/awards?campaign_id={campaign_id}",
        headers=operator,
        timeout=10,
    ).json()["awards"]
    certificate = requests.get(
        f"{placement_suite.base_url}/api/v1/certificates/{awards[0]['serial']}.pdf",
        headers=operator,
        timeout=30,
    )
    [url] = qr_codes(rasterise(write(certificate.content, tmp_path))[0])
    verified = requests.get(url, timeout=10).json()  # the QR code's URL, without a token
    assert (verified["status"], verified["holder"]) == ("valid", awards[0]["holder_name"][0] + "*")
    assert placement_suite.gravity("audit", "replay", "--quiet").returncode == 0
    logged = placement_suite.log_path.read_text()
    assert "0371-6" not in logged  # host units' contact phones

    def count(event_type: str) -> int:
        listed = placement_suite.gravity("audit", "events", "--type", event_type).stdout
        return len(listed.splitlines())

    again = subprocess.run(
        [sys.executable, "-m", "gravity.cli", "demo"],
        env=placement_suite.environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"loaded already (campaign {campaign_id})" in again.stderr
    assert (count("CampaignCreated"), count("HostUnitRegistered")) == (1, 20)
