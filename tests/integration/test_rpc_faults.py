"""RPC under faults, on real RabbitMQ and SQLite: a request whose caller gave up is never run,
and a registration retried after a 503 answers its first result."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from gateway.core.process import prepare_databases
from services.recruitment.service import RecruitmentService
from shared.eventstore.database import create_database_engine
from shared.migrations import upgrade_to_head
from shared.process import nameko_config
from tests.integration.test_gateway_api import (
    ContainerFactory,
    Stack,
    make_registration,
    make_settings,
    start_gateway,
    wait_for,
)
from tests.support.broker import AUTH, MANAGEMENT

RPC_TIMEOUT = 1.5


@pytest.fixture
def stack(tmp_path: Path, amqp_uri: str, container_factory: ContainerFactory) -> Any:
    settings = make_settings(tmp_path, amqp_uri, rpc_timeout=RPC_TIMEOUT)
    upgrade_to_head(settings.database_url("recruitment"), "services.recruitment.migrations")
    prepare_databases(settings)
    recruitment = container_factory(RecruitmentService, nameko_config(settings, "recruitment"))
    recruitment.start()
    url = start_gateway(container_factory, settings)
    recruitment_db = create_database_engine(settings.database_url("recruitment"), reader=True)
    gateway_db = create_database_engine(settings.database_url("gateway"), reader=True)
    yield Stack(settings, url, recruitment_db, gateway_db), recruitment
    recruitment_db.dispose()
    gateway_db.dispose()


def registrations(stack: Stack) -> int:
    return len(stack.recruitment_events("StudentRegistered"))


def queue_is_settled(amqp_uri: str, queue: str) -> bool:
    """No message of ``queue`` is waiting or being worked on (RabbitMQ's management API)."""
    vhost = amqp_uri.rsplit("/", 1)[1]
    answer = requests.get(f"{MANAGEMENT}/queues/{vhost}/{queue}", auth=AUTH, timeout=10)
    answer.raise_for_status()
    return int(answer.json().get("messages", 1)) == 0


def test_a_request_whose_caller_timed_out_is_never_run_later(
    stack: tuple[Stack, Any], container_factory: ContainerFactory
) -> None:
    gateway, recruitment = stack
    campaign_id = gateway.open_campaign()
    recruitment.stop()  # the service's consumer is gone; its queue stays

    path = f"/api/v1/campaigns/{campaign_id}/registrations"
    gave_up = gateway.call("POST", path, json=make_registration(31))
    assert (gave_up.status_code, gave_up.json()["error"]) == (503, "SERVICE_UNAVAILABLE")
    assert gave_up.headers["Retry-After"]

    settings = gateway.settings
    container_factory(RecruitmentService, nameko_config(settings, "recruitment")).start()
    later = gateway.call("POST", path, json=make_registration(32))
    assert later.status_code == 201, later.text
    wait_for(lambda: queue_is_settled(settings.amqp_uri, "rpc-recruitment"), bool)
    assert registrations(gateway) == 1  # only the registration whose caller waited


def test_a_registration_retried_after_a_503_answers_its_first_result(
    stack: tuple[Stack, Any],
) -> None:
    gateway, _ = stack
    campaign_id = gateway.open_campaign()
    path = f"/api/v1/campaigns/{campaign_id}/registrations"
    key = {"Idempotency-Key": str(uuid.uuid4())}
    database = sa.engine.make_url(gateway.settings.database_url("recruitment")).database
    holder = sqlite3.connect(str(database), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the service is slow: it waits for its database
    try:
        first = gateway.call("POST", path, json=make_registration(41), headers=key)
        assert (first.status_code, first.json()["error"]) == (503, "SERVICE_UNAVAILABLE")
    finally:
        holder.execute("COMMIT")
        holder.close()
    wait_for(lambda: registrations(gateway), lambda count: count == 1)  # it did run

    retried = gateway.call("POST", path, json=make_registration(41), headers=key)
    assert retried.status_code == 201, retried.text
    [(stream_id, _)] = gateway.recruitment_events("StudentRegistered")
    assert stream_id == f"student-{retried.json()['student_id']}"
    assert registrations(gateway) == 1
