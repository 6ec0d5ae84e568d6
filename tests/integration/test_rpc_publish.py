"""An RPC request or reply published straight on the pooled producer's open channel is the
message kombu's own ``Producer.publish`` sends: the same body, properties and headers. When
the channel is not open yet, kombu's way publishes it (and opens it)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from kombu import Connection, Exchange, Producer, Queue

from shared import rpc

PAYLOAD = {"args": [{"actor": "operator:op-1"}, {"name": "欧阳明轩", "when": "2026-07-01"}]}


@pytest.fixture
def exchange_and_queue(amqp_uri):
    exchange = Exchange(f"rpc-publish-{uuid.uuid4().hex[:8]}", type="topic", durable=True)
    queue = Queue(f"{exchange.name}.calls", exchange=exchange, routing_key="#", durable=False)
    with Connection(amqp_uri) as connection:
        queue(connection.default_channel).declare()
    return exchange, queue


def publish(publisher: rpc._RequestPublisher, exchange: Exchange, correlation_id: str) -> None:
    publisher.publish(
        PAYLOAD,
        exchange=exchange,
        routing_key="recruitment.register_student",
        mandatory=True,
        reply_to="rpc.reply-gateway",
        correlation_id=correlation_id,
        extra_headers={"nameko.correlation_id": "corr-1", "nameko.call_id_stack": ["g.1"]},
        expiration=7.5,
        declare=[exchange],
    )


def taken(amqp_uri: str, queue: Queue, count: int) -> list[Any]:
    messages = []
    with Connection(amqp_uri) as connection:
        bound = queue(connection.default_channel)
        for _ in range(count):
            message = bound.get(no_ack=True)
            assert message is not None
            messages.append(message)
    return messages


def test_the_open_channel_sends_what_kombu_sends(monkeypatch, amqp_uri, exchange_and_queue):
    exchange, queue = exchange_and_queue
    publisher = rpc._RequestPublisher(amqp_uri, serializer="json")
    direct: list[bool] = []
    real = rpc._published_on_open_channel

    def watched(*args: Any, **kwargs: Any) -> bool:
        direct.append(real(*args, **kwargs))
        return direct[-1]

    monkeypatch.setattr(rpc, "_published_on_open_channel", watched)
    publish(publisher, exchange, "first")  # no channel open yet: kombu's way opens one
    publish(publisher, exchange, "second")  # on the channel now open
    monkeypatch.setattr(rpc, "_published_on_open_channel", lambda *_a, **_k: False)
    publish(publisher, exchange, "third")  # kombu's way again, for comparison
    assert direct == [False, True]

    first, second, third = taken(amqp_uri, queue, 3)
    for message in (first, second, third):
        assert message.decode() == PAYLOAD
        assert message.headers == {
            "nameko.correlation_id": "corr-1",
            "nameko.call_id_stack": ["g.1"],
        }
        assert message.delivery_info["routing_key"] == "recruitment.register_student"
    as_kombu = {k: v for k, v in third.properties.items() if k != "correlation_id"}
    assert {k: v for k, v in second.properties.items() if k != "correlation_id"} == as_kombu
    assert second.properties["correlation_id"] == "second"
    assert as_kombu["expiration"] == "7500"
    assert as_kombu["delivery_mode"] == 1  # transient
    assert as_kombu["reply_to"] == "rpc.reply-gateway"
    assert second.body == third.body


def test_a_producer_keeps_its_channel_and_a_closed_connection_is_opened_again(
    monkeypatch, amqp_uri, exchange_and_queue
):
    exchange, queue = exchange_and_queue
    publisher = rpc._RequestPublisher(amqp_uri, serializer="json")
    publish(publisher, exchange, "first")
    [pool] = [pool for key, pool in rpc._PRODUCER_POOLS.items() if key[0] == amqp_uri]
    with pool.acquire(block=True) as producer:
        channel, connection = producer.channel, producer.connection
    revived: list[Any] = []
    real_revive = Producer.revive

    def revive(self: Producer, channel: Any) -> None:
        revived.append(channel)
        real_revive(self, channel)

    monkeypatch.setattr(Producer, "revive", revive)
    publish(publisher, exchange, "second")
    with pool.acquire(block=True) as producer:
        assert producer.channel is channel
    assert revived == []  # not bound to its channel again on every acquire
    connection.close()
    publish(publisher, exchange, "third")  # kombu's publish opens it again
    assert len(revived) == 1
    with pool.acquire(block=True) as producer:
        assert producer.connection.connected
    messages = taken(amqp_uri, queue, 3)
    assert [m.properties["correlation_id"] for m in messages] == ["first", "second", "third"]
