"""GET /metrics through the real gateway over real RabbitMQ and SQLite: recruitment and the
gateway as nameko containers, the event-log consumer feeding the read models, the broker's
management API counting a dead-letter queue."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pika
import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from gateway.core.metrics import UNMATCHED
from gateway.core.process import prepare_databases
from gateway.core.tokens import issue_token
from services.recruitment.service import RecruitmentService
from shared.config import Settings
from shared.eventlog.process import event_log_consumer
from shared.eventstore.database import create_database_engine
from shared.messaging.topology import amqp_parameters, dead_letter_queue
from shared.migrations import upgrade_to_head
from shared.process import nameko_config
from tests.integration.test_gateway_api import (
    FAST_LOG,
    ContainerFactory,
    free_port,
    make_campaign,
    make_settings,
    start_gateway,
    wait_for,
)
from tests.integration.test_outbox_relay import commit_events

STUDENT = "/api/v1/students/{student_id}"
CAMPAIGNS = "/api/v1/campaigns"
TOKEN = "scrape-me-" + "x" * 24
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(url: str, token: str | None = None) -> tuple[requests.Response, Samples]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = requests.get(f"{url}/metrics", headers=headers, timeout=30)
    samples: Samples = {}
    if answer.status_code == 200:
        for family in text_string_to_metric_families(answer.text):
            for sample in family.samples:
                samples[sample.name, frozenset(sample.labels.items())] = sample.value
    return answer, samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def requests_of(samples: Samples, route: str, method: str, status: int) -> float:
    labels = {"route": route, "method": method, "status": str(status)}
    return value(samples, "gravity_http_requests_total", **labels)


@dataclass
class Stack:
    settings: Settings
    url: str

    def call(self, method: str, path: str, role: str = "operator", **kwargs: Any) -> Any:
        token = issue_token(self.settings, role, "op-1" if role == "operator" else "who-1")
        headers = {"Authorization": f"Bearer {token}"}
        return requests.request(method, self.url + path, headers=headers, timeout=30, **kwargs)


def prepared(tmp_path: Path, amqp_uri: str, **overrides: Any) -> Settings:
    settings = make_settings(tmp_path, amqp_uri, **overrides)
    upgrade_to_head(settings.database_url("recruitment"), "services.recruitment.migrations")
    prepare_databases(settings)
    return settings


@pytest.fixture
def stack(tmp_path: Path, amqp_uri: str, container_factory: ContainerFactory) -> Iterator[Stack]:
    settings = prepared(tmp_path, amqp_uri)
    container_factory(RecruitmentService, nameko_config(settings, "recruitment")).start()
    url = start_gateway(container_factory, settings)
    with event_log_consumer(settings, FAST_LOG) as consumer:
        worker = threading.Thread(target=consumer.run, daemon=True)
        worker.start()
        try:
            yield Stack(settings, url)
        finally:
            consumer.stop()
            worker.join(10)


def test_requests_are_counted_by_route_template_and_status_and_timed(stack: Stack) -> None:
    _, before = scrape(stack.url)
    student_id = str(uuid.uuid4())
    assert requests.get(f"{stack.url}/healthz", timeout=30).status_code == 200
    assert stack.call("GET", f"/api/v1/students/{student_id}").status_code == 404
    assert stack.call("POST", CAMPAIGNS, json={"name": ""}).status_code == 422
    # Under /api/v1: any other unknown path is the web console's (its index.html, 200).
    assert requests.get(f"{stack.url}/api/v1/no/such/{student_id}", timeout=30).status_code == 404

    answer, after = scrape(stack.url)

    assert answer.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    for route, method, status in (
        ("/healthz", "GET", 200),
        (STUDENT, "GET", 404),
        (CAMPAIGNS, "POST", 422),
        (UNMATCHED, "GET", 404),
        ("/metrics", "GET", 200),  # the first scrape
    ):
        earlier = requests_of(before, route, method, status)
        assert requests_of(after, route, method, status) - earlier == 1, (route, method, status)
    assert requests_of(after, STUDENT, "GET", 200) == 0
    buckets = {
        dict(labels)["le"]
        for name, labels in after
        if name == "gravity_http_request_duration_seconds_bucket"
        and dict(labels)["route"] == STUDENT
    }
    assert {"0.005", "1.0", "10.0", "+Inf"} <= buckets
    count = value(after, "gravity_http_request_duration_seconds_count", route=STUDENT, method="GET")
    assert count == 1
    assert student_id not in answer.text  # an id never becomes a label


def test_a_command_is_timed_and_the_log_head_and_read_model_lag_agree_with_the_audit_head(
    stack: Stack,
) -> None:
    assert stack.call("POST", CAMPAIGNS, json=make_campaign()).status_code == 201

    def caught_up() -> Samples:
        return scrape(stack.url)[1]

    samples = wait_for(
        caught_up,
        lambda s: (
            value(s, "gravity_event_log_head_position") >= 1
            and value(s, "gravity_read_model_lag_events") == 0
        ),
    )
    rpc = {"service": "recruitment", "method": "create_campaign"}
    assert value(samples, "gravity_rpc_duration_seconds_count", **rpc, outcome="ok") == 1
    assert value(samples, "gravity_rpc_duration_seconds_bucket", **rpc, outcome="ok", le="+Inf")
    head = stack.call("GET", "/api/v1/audit/head", role="auditor").json()["position"]
    assert value(samples, "gravity_event_log_up") == 1
    assert value(samples, "gravity_event_log_head_position") == head
    assert value(samples, "gravity_read_model_position") == head
    # Recruitment's relay published everything; the other services have no database here.
    assert value(samples, "gravity_relay_up", service="recruitment") == 1
    assert value(samples, "gravity_relay_unpublished_events", service="recruitment") == 0
    assert (
        value(samples, "gravity_relay_oldest_unpublished_age_seconds", service="recruitment") == 0
    )
    assert value(samples, "gravity_relay_up", service="placement") == 0
    assert (
        "gravity_relay_unpublished_events",
        frozenset({("service", "placement")}),
    ) not in samples


def test_dead_letter_queues_are_counted_from_the_broker(stack: Stack, amqp_uri: str) -> None:
    parked = dead_letter_queue(f"metrics-test-{uuid.uuid4().hex[:8]}")
    params = amqp_parameters(amqp_uri)
    connection = pika.BlockingConnection(
        pika.ConnectionParameters(
            host=str(params["host"]),
            port=int(params["port"]),
            virtual_host=str(params["virtual_host"]),
            credentials=pika.PlainCredentials(str(params["username"]), str(params["password"])),
        )
    )
    try:
        channel = connection.channel()
        channel.queue_declare(parked, durable=True)
        for number in range(3):
            channel.basic_publish("", parked, f'{{"n": {number}}}'.encode())
        # The management API's figures lag the queue by its statistics interval (5 s).
        samples = wait_for(
            lambda: scrape(stack.url)[1],
            lambda s: value(s, "gravity_dead_letter_messages", queue=parked) == 3,
            timeout=30,
        )
    finally:
        connection.close()
    assert value(samples, "gravity_dead_letters_up") == 1


def test_an_unreachable_broker_api_is_a_gauge_and_the_scrape_still_answers(
    tmp_path: Path, amqp_uri: str, container_factory: ContainerFactory
) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    settings = prepared(
        tmp_path, amqp_uri, metrics={"broker_management_url": closed}, rpc_timeout=1
    )
    stack = Stack(settings, start_gateway(container_factory, settings))  # recruitment is away
    assert stack.call("POST", CAMPAIGNS, json=make_campaign()).status_code == 503

    answer, samples = scrape(stack.url)

    assert answer.status_code == 200
    assert value(samples, "gravity_dead_letters_up") == 0
    assert not any(name == "gravity_dead_letter_messages" for name, _ in samples)
    assert value(samples, "gravity_event_log_up") == 1
    rpc = {"service": "recruitment", "method": "create_campaign", "outcome": "failed"}
    assert value(samples, "gravity_rpc_duration_seconds_count", **rpc) == 1
    assert value(samples, "gravity_rpc_duration_seconds_sum", **rpc) >= 1  # the whole wait


def test_a_relay_that_has_not_published_shows_its_backlog_and_its_age(
    tmp_path: Path, amqp_uri: str, container_factory: ContainerFactory, database_url: str
) -> None:
    """Recruitment's database on SQLite, then on PostgreSQL."""
    settings = prepared(tmp_path, amqp_uri, databases={"recruitment": database_url})
    url = start_gateway(container_factory, settings)  # recruitment's relay is not running
    engine = create_database_engine(settings.database_url("recruitment"))
    try:
        commit_events(engine, 2)
    finally:
        engine.dispose()
    time.sleep(0.3)

    _, samples = scrape(url)

    assert value(samples, "gravity_relay_up", service="recruitment") == 1
    assert value(samples, "gravity_relay_unpublished_events", service="recruitment") == 2
    oldest = value(samples, "gravity_relay_oldest_unpublished_age_seconds", service="recruitment")
    assert 0.3 <= oldest < 60


def test_with_a_metrics_token_only_its_bearer_may_scrape(
    tmp_path: Path, amqp_uri: str, container_factory: ContainerFactory
) -> None:
    settings = prepared(tmp_path, amqp_uri, metrics={"token": TOKEN})
    url = start_gateway(container_factory, settings)
    operator = issue_token(settings, "operator", "op-1")

    for offered in (None, "wrong", operator):
        refused, _ = scrape(url, offered)
        assert (refused.status_code, refused.json()["error"]) == (401, "UNAUTHENTICATED")
    answer, samples = scrape(url, TOKEN)
    assert answer.status_code == 200
    assert requests_of(samples, "/metrics", "GET", 401) == 3
