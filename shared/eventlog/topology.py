"""The broker objects the event log listens on, declared the way every other process must."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from shared.messaging.topology import EVENT_LOG_QUEUE, dead_letter_queue, event_exchange

EVENT_LOG_DEAD_LETTER_QUEUE = dead_letter_queue(EVENT_LOG_QUEUE)


def declare_event_log_topology(channel: Any, services: Iterable[str]) -> None:
    """Declare every producer's event exchange (``services``: each service's and the
    gateway's, ``shared.events.producers``) and bind the log's durable queue to all of them.

    ``channel`` is a pika channel. The exchanges are declared exactly as nameko declares them
    (durable, non-auto-delete topic exchanges), or the broker would close the channel. The
    relay calls this before its first publish, so that a ``mandatory`` return means a real
    misroute and no event is published before the log's queue exists.
    """
    channel.queue_declare(queue=EVENT_LOG_QUEUE, durable=True)
    channel.queue_declare(queue=EVENT_LOG_DEAD_LETTER_QUEUE, durable=True)
    for service in services:
        exchange = event_exchange(service)
        channel.exchange_declare(
            exchange=exchange, exchange_type="topic", durable=True, auto_delete=False
        )
        channel.queue_bind(queue=EVENT_LOG_QUEUE, exchange=exchange, routing_key="#")
