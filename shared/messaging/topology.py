"""Names and shapes of the broker objects that Gravity's processes share.

Everything that declares one of these must declare it identically, or RabbitMQ refuses the
channel: nameko declares ``<service>.events`` as a durable, non-auto-delete topic exchange.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlparse

from amqp.exceptions import AccessRefused

EVENT_LOG_QUEUE = "gravity.eventlog"
DEAD_LETTER_EXCHANGE = "gravity.dead-letters"
ATTEMPTS_HEADER = "x-gravity-attempts"


def event_exchange(service: str) -> str:
    """The topic exchange a service's events are published to (routing key = event type)."""
    return f"{service}.events"


def dead_letter_queue(queue: str) -> str:
    return f"{queue}.dead-letter"


def amqp_parameters(amqp_uri: str) -> dict[str, str | int]:
    """Host, port, credentials and vhost from an ``amqp://`` URI, for pika and py-amqp."""
    parts = urlparse(amqp_uri)
    vhost = unquote(parts.path[1:]) if parts.path and parts.path != "/" else "/"
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5672,
        "username": unquote(parts.username or "guest"),
        "password": unquote(parts.password or "guest"),
        "virtual_host": vhost,
    }


def declare_publishing_topology(channel: Any, service: str) -> None:
    """Declare the service's exchange as nameko does, and make sure the event log's queue is
    bound to it before the first publish, so that a ``mandatory`` return means a real misroute.

    ``channel`` is a py-amqp channel. A login with every right (one machine: ``gravity up``'s)
    declares the log's queue and binds it. A service's own broker user (compose, Kubernetes)
    may not touch the log's queue (``broker_users.py``): RabbitMQ refuses the declaration on a
    channel opened for the trial, and the queue is only checked to exist, since ``gravity
    broker-users`` declared it and bound it to every producer's exchange beforehand (missing,
    the check raises ``NotFound`` and the relay retries until it is there).
    """
    exchange = event_exchange(service)
    channel.exchange_declare(exchange, "topic", durable=True, auto_delete=False)
    trial = channel.connection.channel()
    try:
        trial.queue_declare(EVENT_LOG_QUEUE, durable=True, auto_delete=False)
        trial.queue_bind(EVENT_LOG_QUEUE, exchange, "#")
    except AccessRefused:  # the broker closed the trial channel: the queue is the log's
        channel.queue_declare(EVENT_LOG_QUEUE, passive=True)
    else:
        trial.close()
