"""The read models' projector as a process of its own: the gateway serves, the projector
writes (``gateway.projector``). Recruitment, the gateway and the projector as nameko
containers over real RabbitMQ, the event log's consumer feeding the log."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from gateway.core.process import MIGRATIONS, gateway_config, prepare_databases
from gateway.projector.service import ProjectorService
from gateway.service import GatewayService
from services.recruitment.service import RecruitmentService
from shared.config import Settings
from shared.eventlog.tables import event_log
from shared.eventstore.database import create_database_engine
from shared.migrations import at_head, upgrade_to_head
from shared.process import nameko_config, wait_for_schema
from tests.integration.test_gateway_api import (
    NAME,
    PHONE,
    Stack,
    logging_stack,
    make_campaign,
    make_registration,
    make_settings,
    wait_for,
)

ContainerFactory = Callable[[type, dict[str, Any]], Any]


@pytest.fixture
def settings(tmp_path: Path, amqp_uri: str) -> Settings:
    settings = make_settings(tmp_path, amqp_uri, services=["recruitment"])
    upgrade_to_head(settings.database_url("recruitment"), "services.recruitment.migrations")
    prepare_databases(settings)
    return settings


@pytest.fixture
def gateway_alone(settings: Settings, container_factory: ContainerFactory) -> Iterator[Stack]:
    """Recruitment, the event log and the gateway: everything but the projector."""
    container_factory(RecruitmentService, nameko_config(settings, "recruitment")).start()
    container_factory(GatewayService, gateway_config(settings)).start()
    with logging_stack(settings, f"http://127.0.0.1:{settings.gateway_port}") as stack:
        yield stack


def logged(settings: Settings) -> int:
    engine = create_database_engine(settings.database_url("eventlog"), reader=True)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(sa.select(sa.func.count()).select_from(event_log)).scalar_one()
            )
    finally:
        engine.dispose()


def test_the_read_models_follow_the_log_once_the_projector_runs_beside_the_gateway(
    gateway_alone: Stack, settings: Settings, container_factory: ContainerFactory
) -> None:
    stack = gateway_alone
    created = stack.call("POST", "/api/v1/campaigns", json=make_campaign())
    assert created.status_code == 201, created.text
    campaign_id = created.json()["campaign_id"]
    assert stack.call("POST", f"/api/v1/campaigns/{campaign_id}/open").status_code == 200
    registered = stack.call(
        "POST", f"/api/v1/campaigns/{campaign_id}/registrations", json=make_registration(1)
    )
    assert registered.status_code == 201, registered.text
    student_id = registered.json()["student_id"]
    wait_for(lambda: logged(settings), lambda count: count >= 3)
    # The gateway answers commands, but the read models are the projector's to write.
    time.sleep(0.5)
    assert stack.call("GET", f"/api/v1/students/{student_id}").status_code == 404
    assert stack.call("GET", "/readyz", role=None).json()["read_model_position"] == 0

    container_factory(ProjectorService, gateway_config(settings)).start()

    profile = wait_for(
        lambda: stack.call("GET", f"/api/v1/students/{student_id}"),
        lambda answer: answer.status_code == 200,
    ).json()
    # Its sealed fields opened with keys the projector asked recruitment for, as the gateway.
    assert (profile["name"], profile["phone"]) == (NAME, PHONE)
    assert stack.call("GET", "/readyz", role=None).json()["read_model_position"] >= 3


def test_the_projector_waits_for_the_schema_the_gateway_migrates(
    tmp_path: Path, amqp_uri: str
) -> None:
    settings = make_settings(tmp_path, amqp_uri)
    url = settings.database_url("gateway")
    assert not at_head(url, MIGRATIONS)
    waiter = threading.Thread(target=wait_for_schema, args=(url, MIGRATIONS), daemon=True)
    waiter.start()
    waiter.join(1.5)
    assert waiter.is_alive()  # nothing made: still waiting
    assert not at_head(url, MIGRATIONS)

    upgrade_to_head(url, MIGRATIONS)

    waiter.join(15)
    assert not waiter.is_alive()
    assert at_head(url, MIGRATIONS)
