"""RPC requests and replies go out through one producer pool per broker: the headers, the
expiry and the routing of every message are nameko's, on real RabbitMQ."""

from __future__ import annotations

import kombu
from kombu import Connection, Exchange, Queue

from shared import rpc


def test_every_request_arrives_as_sent_through_one_producer_pool(amqp_uri: str) -> None:
    exchange = Exchange("gravity-rpc-test", type="topic", durable=False)
    queue = Queue("gravity-rpc-test.recruitment", exchange, routing_key="recruitment.*")
    with Connection(amqp_uri) as connection:
        queue(connection.default_channel).declare()
        publisher = rpc._RequestPublisher(amqp_uri, headers={"nameko.call_id_stack": ["gateway.1"]})
        for number in range(3):
            publisher.publish(
                {"args": [number]},
                exchange=exchange,
                routing_key="recruitment.register_student",
                extra_headers={"nameko.correlation_id": f"c-{number}"},
                expiration=30,
                reply_to="gateway.replies",
                correlation_id=f"call-{number}",
            )
        received: list[kombu.Message] = []
        for _ in range(50):
            message = queue(connection.default_channel).get(no_ack=True)
            if message is not None:
                received.append(message)
            if len(received) == 3:
                break
    pools = [key for key in rpc._PRODUCER_POOLS if key[0] == amqp_uri]
    assert len(pools) == 1
    assert [message.decode() for message in received] == [{"args": [n]} for n in range(3)]
    first = received[0]
    assert first.headers == {
        "nameko.call_id_stack": ["gateway.1"],
        "nameko.correlation_id": "c-0",
    }
    assert first.properties["correlation_id"] == "call-0"
    assert first.properties["reply_to"] == "gateway.replies"
    assert first.properties["expiration"] == "30000"
    assert first.properties["delivery_mode"] == 1  # transient: a request lives as its caller
