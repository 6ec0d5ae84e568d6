"""Operator tools for parked messages: look at a dead-letter queue, and replay it.

A message lands in ``<queue>.dead-letter`` after its handler failed ``delivery_limit``
times. Replaying moves each message back to ``<queue>`` (publisher-confirmed before the
parked copy is acked, so a crash mid-way duplicates rather than loses; handlers are
idempotent by event id).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pika

from shared.messaging.parking import ORIGINAL_USER_HEADER, PARKED_AT_HEADER, REASON_HEADER
from shared.messaging.topology import ATTEMPTS_HEADER, amqp_parameters

SUFFIX = ".dead-letter"


@dataclass(frozen=True)
class ParkedMessage:
    """One parked message as an operator sees it: ids, how often it failed, why and when."""

    event_id: str
    event_type: str
    failed_deliveries: int | None  # None: parked by the broker, which does not say
    original_queue: str
    reason: str = "?"
    parked_at: str = "?"


def _connect(amqp_uri: str) -> pika.BlockingConnection:
    params = amqp_parameters(amqp_uri)
    return pika.BlockingConnection(
        pika.ConnectionParameters(
            host=str(params["host"]),
            port=int(params["port"]),
            virtual_host=str(params["virtual_host"]),
            credentials=pika.PlainCredentials(str(params["username"]), str(params["password"])),
            connection_attempts=1,
        )
    )


def _describe(queue: str, properties: Any, body: bytes) -> ParkedMessage:
    headers = properties.headers or {}
    deaths = headers.get("x-death") or [{}]
    try:
        event = json.loads(body)
    except ValueError:
        event = {}
    return ParkedMessage(
        event_id=str(event.get("event_id", properties.message_id or "?")),
        event_type=str(event.get("event_type", properties.type or "?")),
        failed_deliveries=_attempts(headers),
        original_queue=queue.removesuffix(SUFFIX),
        reason=str(headers.get(REASON_HEADER) or deaths[0].get("reason") or "?"),
        parked_at=str(headers.get(PARKED_AT_HEADER) or deaths[0].get("time") or "?"),
    )


def _attempts(headers: dict[str, Any]) -> int | None:
    """Failed deliveries: as the consumer recorded them when it parked the message; 1 for a
    message the event log refused outright; unknown when the broker dead-lettered it."""
    if ATTEMPTS_HEADER in headers:
        return int(headers[ATTEMPTS_HEADER])
    if REASON_HEADER in headers:
        return 1
    return None


def inspect_dead_letters(amqp_uri: str, queue: str, limit: int = 100) -> list[ParkedMessage]:
    """List parked messages without removing them (no personal data: ids and types only)."""
    connection = _connect(amqp_uri)
    try:
        channel = connection.channel()
        seen: list[ParkedMessage] = []
        for _ in range(limit):
            method, properties, body = channel.basic_get(_dead_letter_name(queue))
            if method is None:
                break
            seen.append(_describe(queue, properties, body))
        # Closing the channel without acks returns every fetched message to the queue.
        channel.close()
        return seen
    finally:
        connection.close()


def replay_dead_letters(amqp_uri: str, queue: str) -> int:
    """Move every message parked when called back to its queue; returns how many were moved.

    Only those: a message parked again meanwhile (an event the consumer refuses as not
    authentic is parked at once) waits for the next replay instead of going round forever."""
    connection = _connect(amqp_uri)
    moved = 0
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        original = _dead_letter_name(queue).removesuffix(SUFFIX)
        parked = channel.queue_declare(_dead_letter_name(queue), passive=True)
        for _ in range(parked.method.message_count):
            method, properties, body = channel.basic_get(_dead_letter_name(queue))
            if method is None:
                return moved
            original_user = (properties.headers or {}).get(ORIGINAL_USER_HEADER)
            headers = {
                key: value
                for key, value in (properties.headers or {}).items()
                if not key.startswith("x-")
            }
            properties.headers = headers
            if original_user:
                # Who published it first; the operator's user needs the impersonator tag.
                properties.user_id = str(original_user)
            channel.basic_publish("", original, body, properties, mandatory=True)
            channel.basic_ack(method.delivery_tag)
            moved += 1
        return moved
    finally:
        connection.close()


def _dead_letter_name(queue: str) -> str:
    return queue if queue.endswith(SUFFIX) else queue + SUFFIX
