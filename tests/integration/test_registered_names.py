"""Recruitment answers placement's question for a registered name over real RPC, and
placement, which no longer consumes ``StudentRegistered``, deletes the queue that handler left
on the broker when it starts (``shared.messaging.retired``)."""

from __future__ import annotations

import uuid
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
from shared.events.producer_keys import ensure_producer_key
from shared.messaging.inbox import on_the_broker
from shared.messaging.retired import handler_queue
from shared.messaging.topology import dead_letter_queue, event_exchange
from shared.migrations import upgrade_to_head
from shared.privacy.sealing import is_sealed
from shared.privacy.sharing import KeyRequester
from shared.process import nameko_config
from tests.integration.test_erasure import (
    recruitment_events,
    register_over_rpc,
    registered_name_over_rpc,
)
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


def test_recruitment_answers_for_a_registered_name_as_it_stored_it(
    settings: Any, container_factory: Any, rabbit_config: dict[str, Any]
) -> None:
    container_factory(RecruitmentService, nameko_config(settings, "recruitment")).start()
    with ClusterRpcProxy(rabbit_config) as cluster:
        recruitment = cluster.recruitment

        def name_of(student_id: object) -> Any:
            return registered_name_over_rpc(recruitment, settings, student_id)

        body = make_registration(11, name="欧阳明轩")
        student_id = register_over_rpc(recruitment, CONTEXT, body)
        answer = name_of(student_id)
        [registration] = recruitment_events(settings, "StudentRegistered")
        assert answer == {"name": registration.payload["name"], "sealed_in": registration.event_id}
        assert is_sealed(answer["name"])
        assert "欧阳明轩" not in answer["name"]
        assert name_of(str(uuid.uuid4())) == {"unknown": True}
        for not_an_id in ("not-a-uuid", 7, None, {"student_id": student_id}):
            assert "refused" in name_of(not_an_id)
        recruitment.erase_student(
            CONTEXT, {"student_id": student_id, "reason": "request", "field_classes": ["identity"]}
        )
        assert name_of(student_id) == answer  # the name is not erased
        recruitment.erase_student(CONTEXT, {"student_id": student_id, "reason": "request"})
        assert name_of(student_id) == {"erased": True}


def test_only_placement_signing_its_own_question_is_answered(
    settings: Any, container_factory: Any, rabbit_config: dict[str, Any]
) -> None:
    """A bare id, a question signed by another producer (the gateway's key, as the gateway or
    passed off as placement's), or one altered after signing is refused, and the refusal is
    logged without the student's id."""
    container_factory(RecruitmentService, nameko_config(settings, "recruitment")).start()
    placement = KeyRequester("placement", ensure_producer_key(settings, "placement"))
    gateway_key = ensure_producer_key(settings, "gateway")
    with ClusterRpcProxy(rabbit_config) as cluster:
        recruitment = cluster.recruitment
        student_id = register_over_rpc(recruitment, CONTEXT, make_registration(12))
        asked = {"student_id": student_id}
        altered = placement.signed({"student_id": str(uuid.uuid4())}) | asked
        posing = KeyRequester("placement", gateway_key).signed(asked)
        with capture_logs() as logs:
            refusals = [
                recruitment.registered_name(question)
                for question in (
                    student_id,
                    asked,
                    KeyRequester("gateway", gateway_key).signed(asked),
                    posing,
                    altered,
                )
            ]
        assert "name" in recruitment.registered_name(placement.signed(asked))
    assert [sorted(refusal) for refusal in refusals] == [["refused"]] * 5
    assert refusals[2] == {"refused": "gateway is not answered for registered names"}
    assert refusals[3] == refusals[4]  # not signed by a key of placement
    refused = [line for line in logs if line["event"] == "registered_name.refused"]
    assert len(refused) == 5
    assert student_id not in str(refused)


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


def test_work_on_the_broker_waits_for_a_broker_that_does_not_answer_yet(amqp_uri: str) -> None:
    attempts: list[Connection] = []

    def delete_retired(broker: Connection) -> None:
        attempts.append(broker)
        if len(attempts) == 1:
            raise ConnectionResetError("the broker went away")
        broker.channel().queue_delete(RETIRED)

    with capture_logs() as logs:
        on_the_broker(amqp_uri, delete_retired, "queue.retire_waiting", queue=RETIRED)
    assert len(attempts) == 2
    assert attempts[0] is not attempts[1]  # a connection of its own each time
    [waited] = [line for line in logs if line["event"] == "queue.retire_waiting"]
    assert (waited["queue"], waited["error_type"]) == (RETIRED, "ConnectionResetError")
    assert waited["retry_in_seconds"] > 0
