"""The outbox relay: publishes committed events with publisher confirms, in batches.

Rows are marked published only after the broker confirmed them. If the broker is down, the
rows stay and the relay retries with exponential back-off; if it dies between publishing and
marking, the events go out again and consumers absorb them by ``event_id``.

py-amqp (the client nameko itself uses) is used here rather than pika: it is green-thread
friendly under eventlet and exposes ``basic.ack``/``basic.nack``/``basic.return`` callbacks,
which batched confirms need (pika's blocking channel confirms one message at a time).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import amqp
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from shared.events.canonical import format_timestamp
from shared.eventstore.store import row_to_envelope
from shared.eventstore.tables import events, outbox
from shared.logging import get_logger
from shared.messaging.topology import EVENT_LOG_QUEUE, amqp_parameters, event_exchange

log = get_logger(__name__)


class PublishFailedError(Exception):
    """The broker did not confirm every message of a batch (nack, return, or timeout)."""


@dataclass
class RelaySettings:
    batch_size: int = 200
    confirm_timeout: float = 10.0
    min_backoff: float = 0.1
    max_backoff: float = 30.0
    idle_poll: float = 1.0
    # After a commit wakes the relay, it waits this long so that commits arriving together
    # share one query, one publish round and one confirm wait.
    linger: float = 0.005


class _ConfirmTracker:
    """Collects the broker's answers for the current batch, keyed by delivery tag.

    One tracker lives as long as its channel (the channel holds its callbacks);
    ``start_batch`` forgets the previous batch's answers.
    """

    def __init__(self) -> None:
        self.start_batch()

    def start_batch(self) -> None:
        self.acked: set[int] = set()
        self.failed: set[int] = set()
        self.returned_ids: set[str] = set()
        if not hasattr(self, "highest_answered"):
            self.highest_answered = 0  # delivery tags only grow on a channel

    def on_ack(self, tag: int, multiple: bool) -> None:
        self._answer(tag, multiple, self.acked)

    def on_nack(self, tag: int, multiple: bool) -> None:
        self._answer(tag, multiple, self.failed)

    def on_return(self, _exc: Any, _exchange: str, _key: str, message: Any) -> None:
        self.returned_ids.add(str(message.properties.get("message_id")))

    def _answer(self, tag: int, multiple: bool, bucket: set[int]) -> None:
        first = self.highest_answered + 1 if multiple else tag
        bucket.update(range(first, tag + 1))
        self.highest_answered = max(self.highest_answered, tag)


class OutboxRelay:
    """Moves one service's outbox to its ``<service>.events`` exchange."""

    def __init__(
        self,
        engine: Engine,
        amqp_uri: str,
        service: str,
        settings: RelaySettings | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._engine = engine
        self._amqp_uri = amqp_uri
        self._service = service
        self._exchange = event_exchange(service)
        self.settings = settings or RelaySettings()
        self._sleep = sleep
        self._connection: amqp.Connection | None = None
        self._channel: Any = None
        self._tracker = _ConfirmTracker()
        self._next_tag = 0
        self._wake = threading.Event()
        self._stopping = threading.Event()

    # -- the loop ------------------------------------------------------------------------
    def notify(self) -> None:
        """Called after a commit: publish now instead of waiting for the next poll."""
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    def run(self) -> None:
        """Publish until stopped; back off while the broker is unreachable."""
        backoff = self.settings.min_backoff
        while not self._stopping.is_set():
            if self._wake.is_set():
                self._stopping.wait(self.settings.linger)
            self._wake.clear()
            try:
                self.publish_pending()
                backoff = self.settings.min_backoff
            except (OSError, amqp.exceptions.AMQPError, PublishFailedError) as error:
                log.warning(
                    "relay.broker_unavailable",
                    service=self._service,
                    error=str(error),
                    retry_in_seconds=round(backoff, 2),
                )
                self._disconnect()
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, self.settings.max_backoff)
                continue
            self._wake.wait(self.settings.idle_poll)
        self._disconnect()

    # -- one pass --------------------------------------------------------------------------
    def pending_count(self) -> int:
        with self._engine.connect() as connection:
            return int(
                connection.execute(
                    sa.select(sa.func.count()).where(outbox.c.published_at.is_(None))
                ).scalar_one()
            )

    def publish_pending(self) -> int:
        """Publish every pending event, batch by batch; returns how many were confirmed."""
        total = 0
        while not self._stopping.is_set():
            rows = self._next_batch()
            if not rows:
                break
            confirmed = self._publish_batch(rows)
            self._mark_published([row.seq for row in rows[:confirmed]])
            total += confirmed
            if confirmed < len(rows):
                raise PublishFailedError(f"broker confirmed {confirmed} of {len(rows)} events")
            log.debug("relay.published", service=self._service, count=confirmed)
            if len(rows) < self.settings.batch_size:
                break  # drained; a commit after our query sets the wake flag again
        return total

    def _next_batch(self) -> list[Any]:
        with self._engine.connect() as connection:
            return list(
                connection.execute(
                    sa.select(events)
                    .join(outbox, outbox.c.seq == events.c.seq)
                    .where(outbox.c.published_at.is_(None))
                    .order_by(events.c.seq)
                    .limit(self.settings.batch_size)
                )
            )

    def _publish_batch(self, rows: list[Any]) -> int:
        """Publish rows; return the length of the confirmed prefix (order is preserved)."""
        channel = self._ensure_channel()
        self._tracker.start_batch()
        first_tag = self._next_tag + 1
        for row in rows:
            envelope = row_to_envelope(row)
            message = amqp.Message(
                body=json.dumps(envelope.to_dict(), ensure_ascii=False).encode("utf-8"),
                content_type="application/json",
                content_encoding="utf-8",
                delivery_mode=2,
                message_id=envelope.event_id,
                type=envelope.event_type,
                application_headers={"nameko.correlation_id": envelope.correlation_id},
            )
            channel.basic_publish(
                message, exchange=self._exchange, routing_key=envelope.event_type, mandatory=True
            )
            self._next_tag += 1
        self._await_confirms(self._next_tag)
        confirmed = 0
        for offset, row in enumerate(rows):
            tag = first_tag + offset
            if tag not in self._tracker.acked or row.event_id in self._tracker.returned_ids:
                break
            confirmed += 1
        return confirmed

    def _await_confirms(self, last_tag: int) -> None:
        deadline = time.monotonic() + self.settings.confirm_timeout
        assert self._connection is not None
        while self._tracker.highest_answered < last_tag:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PublishFailedError("timed out waiting for publisher confirms")
            try:
                self._connection.drain_events(timeout=min(remaining, 1.0))
            except TimeoutError:
                continue

    def _mark_published(self, seqs: list[int]) -> None:
        if not seqs:
            return
        with self._engine.begin() as connection:
            connection.execute(
                outbox.update()
                .where(outbox.c.seq.in_(seqs))
                .values(published_at=format_timestamp(datetime.now(UTC)))
            )

    # -- the broker ----------------------------------------------------------------------
    def _ensure_channel(self) -> Any:
        if self._channel is not None:
            return self._channel
        params = amqp_parameters(self._amqp_uri)
        connection = amqp.Connection(
            host=f"{params['host']}:{params['port']}",
            userid=params["username"],
            password=params["password"],
            virtual_host=params["virtual_host"],
            connect_timeout=5,
            heartbeat=0,
            # Without 'connection.blocked', py-amqp skips a socket poll before every publish;
            # a broker that blocks us shows up as a confirm timeout and a retry instead.
            client_properties={
                "capabilities": {
                    "consumer_cancel_notify": True,
                    "authentication_failure_close": True,
                    "connection.blocked": False,
                }
            },
        )
        connection.connect()
        channel = connection.channel()
        declare_publishing_topology(channel, self._service)
        channel.confirm_select()
        self._tracker = _ConfirmTracker()
        channel.events["basic_ack"].add(self._tracker.on_ack)
        channel.events["basic_nack"].add(self._tracker.on_nack)
        channel.events["basic_return"].add(self._tracker.on_return)
        self._connection, self._channel, self._next_tag = connection, channel, 0
        log.info("relay.connected", service=self._service)
        return channel

    def _disconnect(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None:
            # A connection that already died may fail to close a second time.
            with contextlib.suppress(Exception):
                connection.collect()


def declare_publishing_topology(channel: Any, service: str) -> None:
    """Declare the service's exchange as nameko does, and bind the event log's queue to it
    before the first publish, so that a ``mandatory`` return means a real misroute."""
    exchange = event_exchange(service)
    channel.exchange_declare(exchange, "topic", durable=True, auto_delete=False)
    channel.queue_declare(EVENT_LOG_QUEUE, durable=True, auto_delete=False)
    channel.queue_bind(EVENT_LOG_QUEUE, exchange, "#")
