"""Consuming events without ever losing one (the inbox claim that makes a redelivery a
no-op is the unit of work's: ``UnitOfWork.claim``).

``reliable_event_handler`` replaces nameko's ``event_handler``, whose default acks and drops
a message whose handler raised. Its queue is a quorum queue with a delivery limit: a failing
handler's message is returned to the queue and retried, and after the limit RabbitMQ moves
it to ``<queue>.dead-letter`` (via the ``gravity.dead-letters`` exchange), where an operator
can inspect and replay it (``gravity dead-letters``).
"""

from __future__ import annotations

from typing import Any

from kombu import Connection, Exchange, Queue
from nameko.events import EventHandler

from shared.messaging.topology import DEAD_LETTER_EXCHANGE, dead_letter_queue

DEFAULT_DELIVERY_LIMIT = 5


def dead_letter_topology(queue_name: str) -> tuple[Exchange, Queue]:
    exchange = Exchange(DEAD_LETTER_EXCHANGE, type="direct", durable=True)
    return exchange, Queue(
        dead_letter_queue(queue_name), exchange=exchange, routing_key=queue_name, durable=True
    )


class ReliableEventHandler(EventHandler):  # type: ignore[misc] # nameko is untyped
    """An event handler whose failures are retried a bounded number of times, then parked."""

    def __init__(
        self,
        source_service: str,
        event_type: str,
        delivery_limit: int = DEFAULT_DELIVERY_LIMIT,
        **kwargs: Any,
    ) -> None:
        self.delivery_limit = delivery_limit
        super().__init__(source_service, event_type, requeue_on_error=True, **kwargs)

    def setup(self) -> None:
        super().setup()
        declared: Any = getattr(self, "queue")  # noqa: B009 - set by nameko at setup
        name = declared.name
        self.queue = Queue(
            name,
            exchange=declared.exchange,
            routing_key=declared.routing_key,
            durable=True,
            auto_delete=False,
            queue_arguments={
                "x-queue-type": "quorum",
                "x-delivery-limit": self.delivery_limit,
                "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
                "x-dead-letter-routing-key": name,
            },
        )
        with Connection(self.container.config["AMQP_URI"]) as connection:
            exchange, parked = dead_letter_topology(name)
            channel = connection.default_channel
            exchange(channel).declare()
            parked(channel).declare()


reliable_event_handler = ReliableEventHandler.decorator
