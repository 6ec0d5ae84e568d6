"""Recruitment answers placement's question for a registered name over real RPC, and
placement, which no longer consumes ``StudentRegistered``, deletes the queue that handler left
on the broker when it starts (``shared.messaging.retired``)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from amqp.exceptions import NotFound
from kombu import Connection, Exchange, Queue
from nameko.standalone.rpc import ClusterRpcProxy
from structlog.testing import capture_logs

from services.placement.service import PlacementService
from services.recruitment.service import RecruitmentService
from shared.config import load_settings
from shared.messaging.retired import handler_queue
from shared.messaging.topology import dead_letter_queue, event_exchange
from shared.migrations import upgrade_to_head
from shared.privacy.sealing import is_sealed
from shared.process import nameko_config
from tests.integration.test_erasure import recruitment_events
from tests.integration.test_gateway_api import make_registration

CONTEXT = {"actor": "operator:op-1", "correlation_id": "corr-registered-names"}
RETIRED = handler_queue("recruitment", "StudentRegistered", "placement", "on_student_registered")


@pytest.fixture
def settings(tmp_path: Path, amqp_uri: str) -> Any:
    found = load_settings(
        environ={},
        overrides={"amqp_uri": amqp_uri, "data_dir": str(tmp_path / "var"), "rpc_timeout": 5},
    )
    for service in ("recruitment", "placement"):
        upgrade_to_head(found.database_url(service), f"services.{service}.migrations")
    return found


def registered_student(recruitment: Any) -> str:
    now = datetime.now(UTC)
    campaign = recruitment.create_campaign(
        CONTEXT,
        {
            "name": "Gravity Plan summer",
            "year": now.year,
            "season": "summer",
            "registration_opens_at": (now - timedelta(days=1)).isoformat(),
            "registration_closes_at": (now + timedelta(days=9)).isoformat(),
            "scope": "home-district students",
            "practice_content": "host units",
        },
    )
    recruitment.open_campaign(CONTEXT, {"campaign_id": campaign["campaign_id"]})
    body = make_registration(11, name="欧阳明轩") | {"campaign_id": campaign["campaign_id"]}
    return str(recruitment.register_student(CONTEXT, body)["student_id"])


def test_recruitment_answers_for_a_registered_name_as_it_stored_it(
    settings: Any, container_factory: Any, rabbit_config: dict[str, Any]
) -> None:
    container_factory(RecruitmentService, nameko_config(settings, "recruitment")).start()
    with ClusterRpcProxy(rabbit_config) as cluster:
        recruitment = cluster.recruitment
        student_id = registered_student(recruitment)
        answer = recruitment.registered_name(student_id)
        [registration] = recruitment_events(settings, "StudentRegistered")
        assert answer == {"name": registration.payload["name"], "sealed_in": registration.event_id}
        assert is_sealed(answer["name"])
        assert "欧阳明轩" not in answer["name"]
        assert recruitment.registered_name(str(uuid.uuid4())) == {"unknown": True}
        for not_an_id in ("not-a-uuid", 7, None, {"student_id": student_id}):
            assert "refused" in recruitment.registered_name(not_an_id)
        recruitment.erase_student(
            CONTEXT, {"student_id": student_id, "reason": "request", "field_classes": ["identity"]}
        )
        assert recruitment.registered_name(student_id) == answer  # the name is not erased
        recruitment.erase_student(CONTEXT, {"student_id": student_id, "reason": "request"})
        assert recruitment.registered_name(student_id) == {"erased": True}


def queue_exists(amqp_uri: str, name: str) -> bool:
    with Connection(amqp_uri) as broker:
        try:
            broker.channel().queue_declare(name, passive=True)
        except NotFound:
            return False
    return True


def test_placement_deletes_the_queue_its_retired_handler_left_with_what_it_held(
    settings: Any, amqp_uri: str, container_factory: Any
) -> None:
    exchange = Exchange(event_exchange("recruitment"), type="topic", durable=True)
    with Connection(amqp_uri) as broker:
        channel = broker.channel()
        exchange(channel).declare()
        for name in (RETIRED, dead_letter_queue(RETIRED)):
            Queue(name, exchange=exchange, routing_key="StudentRegistered", durable=True)(
                channel
            ).declare()
        producer = broker.Producer(channel)
        for _ in range(3):
            producer.publish(
                {"a": "registration"}, exchange=exchange, routing_key="StudentRegistered"
            )
    assert queue_exists(amqp_uri, RETIRED)

    with capture_logs() as logs:
        container_factory(PlacementService, nameko_config(settings, "placement")).start()
    assert not queue_exists(amqp_uri, RETIRED)
    assert not queue_exists(amqp_uri, dead_letter_queue(RETIRED))
    retired = [line for line in logs if line["event"] == "queue.retired"]
    assert [(line["queue"], line["events_dropped"]) for line in retired] == [
        (RETIRED, 3),
        (dead_letter_queue(RETIRED), 3),
    ]

    # started again, with nothing left to delete: it starts, and says nothing
    with capture_logs() as logs:
        container_factory(PlacementService, nameko_config(settings, "placement")).start()
    assert [line for line in logs if line["event"].startswith("queue.retire")] == []
