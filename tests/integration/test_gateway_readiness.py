"""Readiness means ready: ``/readyz`` is 200 only while every service answers an RPC ping,
names the one that does not, and a storm of probes costs one round of pings."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests
from structlog.testing import capture_logs

from gateway.core.health import CACHE_SECONDS
from gateway.core.process import prepare_databases
from gateway.core.tokens import issue_token
from services.recruitment.service import RecruitmentService
from shared.config import Settings
from shared.migrations import upgrade_to_head
from shared.process import nameko_config
from tests.integration.test_gateway_api import (
    ContainerFactory,
    make_campaign,
    make_settings,
    start_gateway,
    wait_for,
)


def ready_settings(tmp_path: Path, amqp_uri: str) -> Settings:
    settings = make_settings(tmp_path, amqp_uri, services=["recruitment"])
    upgrade_to_head(settings.database_url("recruitment"), "services.recruitment.migrations")
    prepare_databases(settings)
    return settings


def readiness(url: str) -> requests.Response:
    return requests.get(f"{url}/readyz", timeout=15)


def test_readiness_waits_for_the_service_and_the_first_command_after_it_succeeds(
    tmp_path: Path, amqp_uri: str, container_factory: ContainerFactory
) -> None:
    settings = ready_settings(tmp_path, amqp_uri)
    url = start_gateway(container_factory, settings)
    down = readiness(url)
    assert down.status_code == 503
    assert down.json()["details"]["down"] == ["recruitment"]
    assert "recruitment" in down.json()["message"]

    recruitment = container_factory(RecruitmentService, nameko_config(settings, "recruitment"))
    recruitment.start()
    ready = wait_for(lambda: readiness(url), lambda answer: answer.status_code == 200)
    assert ready.json()["checks"]["recruitment"] == "up"
    operator = {"Authorization": f"Bearer {issue_token(settings, 'operator', 'op-1')}"}
    first = requests.post(
        f"{url}/api/v1/campaigns", headers=operator, json=make_campaign(), timeout=15
    )
    assert first.status_code == 201, first.text

    recruitment.stop()
    stopped = wait_for(lambda: readiness(url), lambda answer: answer.status_code == 503)
    assert stopped.json()["details"]["down"] == ["recruitment"]


def test_a_storm_of_probes_pings_each_service_once_per_cache_period(
    tmp_path: Path, amqp_uri: str, container_factory: ContainerFactory
) -> None:
    settings = ready_settings(tmp_path, amqp_uri)
    url = start_gateway(container_factory, settings)
    with capture_logs() as logs, ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda _: readiness(url), range(48)))
    assert {answer.status_code for answer in answers} == {503}
    pings = [line for line in logs if _ping_failed(line)]
    # One round of checks (a second one only if the storm outlasted the cache period).
    assert 1 <= len(pings) <= 2, pings
    assert CACHE_SECONDS < 5


def _ping_failed(line: Mapping[str, Any]) -> bool:
    return line.get("event") == "readiness.down" and line.get("dependency") == "recruitment"
