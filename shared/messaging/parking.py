"""Parking a message whose handler failed for the last time, with why, how often and when.

A quorum queue dead-letters a message itself once it was returned more than its delivery
limit, but the parked copy then says only "delivery_limit": not how often it failed, nor the
handler's error. So the consumer parks the message itself on its last failure: a copy goes
to ``<queue>.dead-letter`` with the attempts, the error's class (never its message, which may
quote personal data) and the time in headers, confirmed by the broker before the original is
acked. If that publish fails, the message is returned as before and the broker parks it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from nameko.amqp.publish import get_producer

from shared.events.canonical import format_timestamp
from shared.messaging.topology import ATTEMPTS_HEADER, DEAD_LETTER_EXCHANGE

REASON_HEADER = "x-gravity-rejected-because"
PARKED_AT_HEADER = "x-gravity-parked-at"
# The parking consumer publishes as its own broker user, so the copy cannot keep the original
# user_id (RabbitMQ validates it); the header keeps it, and a replay restores it.
ORIGINAL_USER_HEADER = "x-gravity-original-user-id"
DELIVERY_COUNT_HEADER = "x-delivery-count"  # set by a quorum queue on each redelivery
PARK_RETRY_POLICY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5}


def attempt_of(headers: dict[str, Any] | None) -> int:
    """Which delivery of its message this is: 1 the first time, 2 after one failure, ..."""
    return int((headers or {}).get(DELIVERY_COUNT_HEADER) or 0) + 1


def park(amqp_uri: str, queue: str, message: Any, attempts: int, reason: str) -> None:
    """Publish ``message`` (a kombu message from ``queue``) to its dead-letter queue,
    body untouched, and return once the broker confirmed it."""
    headers = dict(message.headers or {})
    headers.pop(DELIVERY_COUNT_HEADER, None)
    properties = message.properties or {}
    if properties.get("user_id"):
        headers[ORIGINAL_USER_HEADER] = properties["user_id"]
    headers |= {
        ATTEMPTS_HEADER: attempts,
        REASON_HEADER: reason,
        PARKED_AT_HEADER: format_timestamp(datetime.now(UTC)),
    }
    with get_producer(amqp_uri, confirms=True) as producer:
        producer.publish(
            message.body,
            exchange=DEAD_LETTER_EXCHANGE,
            routing_key=queue,
            headers=headers,
            content_type=message.content_type,
            content_encoding=message.content_encoding,
            delivery_mode=2,
            message_id=properties.get("message_id"),
            type=properties.get("type"),
            retry=True,
            retry_policy=PARK_RETRY_POLICY,
        )
