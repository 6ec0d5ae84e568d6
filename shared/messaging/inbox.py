"""Consuming events exactly once in effect, and never losing one.

``consume_once`` records the event id in the consumer's inbox inside the same transaction as
the handler's effect, so a redelivered event is a no-op.

``reliable_event_handler`` replaces nameko's ``event_handler``, whose default acks and drops
a message whose handler raised. Its queue is a quorum queue with a delivery limit: a failing
handler's message is returned to the queue and retried, and after the limit RabbitMQ moves
it to ``<queue>.dead-letter`` (via the ``gravity.dead-letters`` exchange), where an operator
can inspect and replay it (``gravity dead-letters``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kombu import Connection, Exchange, Queue
from nameko.events import EventHandler
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.events.canonical import format_timestamp
from shared.eventstore.tables import inbox
from shared.messaging.topology import DEAD_LETTER_EXCHANGE, dead_letter_queue

DEFAULT_DELIVERY_LIMIT = 5


def consume_once(session: Session, consumer: str, event_id: str) -> bool:
    """Claim ``event_id`` for ``consumer`` in the current transaction.

    Returns False when it was consumed before: the caller must then skip its effect.
    """
    try:
        with session.begin_nested():
            session.execute(
                inbox.insert().values(
                    consumer=consumer,
                    event_id=event_id,
                    consumed_at=format_timestamp(datetime.now(UTC)),
                )
            )
    except IntegrityError:
        return False
    return True


def dead_letter_topology(queue_name: str) -> tuple[Exchange, Queue]:
    exchange = Exchange(DEAD_LETTER_EXCHANGE, type="direct", durable=True)
    return exchange, Queue(
        dead_letter_queue(queue_name), exchange=exchange, routing_key=queue_name, durable=True
    )


class ReliableEventHandler(EventHandler):
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


def event_context(envelope_body: dict[str, Any]) -> dict[str, Any]:
    """The RPC-style context for work caused by an event: same conversation, new cause."""
    return {
        "actor": f"event:{envelope_body.get('producer', 'unknown')}",
        "correlation_id": str(envelope_body.get("correlation_id", "")),
        "causation_id": str(envelope_body.get("event_id", "")),
    }
