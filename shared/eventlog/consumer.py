"""The event-log process's loop: queue -> batch -> one append transaction -> ack.

Acks go out only after the batch has committed, so a crash in between loses nothing: the
broker redelivers and the appender's dedupe absorbs what was already logged. A message that is
not a loggable envelope is moved to ``gravity.eventlog.dead-letter`` (then acked) instead of
stopping the log; one that fails screening (``screening.py``) is quarantined with the batch.
One consumer keeps the broker's per-queue order; run one event-log process.
(One loop with its reconnection and its database retries: kept together, a little over 200
lines.)
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pika
import pika.exceptions
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from shared.backoff import Backoff
from shared.eventlog.appender import EventLogAppender
from shared.eventlog.checkpoints import Checkpointer
from shared.eventlog.intake import Delivery, UnloggableMessageError, dead_letter, read_envelope
from shared.eventlog.screening import Refusal, screen
from shared.eventlog.topology import declare_event_log_topology
from shared.events.envelope import Envelope
from shared.logging import get_logger
from shared.messaging.topology import EVENT_LOG_QUEUE, amqp_parameters

__all__ = ["ConsumerOptions", "EventLogConsumer", "declare_event_log_topology"]

if TYPE_CHECKING:  # the producer registry imports the log's key files
    from shared.events.producer_keys import ProducerKeys

log = get_logger(__name__)
BROKER_ERRORS = (pika.exceptions.AMQPError, OSError)
DATABASE_DOWN = (sa.exc.OperationalError, sa.exc.InterfaceError)
# A batch failing with one of these is retried event by event, so that one bad event cannot
# hold up the queue; anything else (say, a missing table) is a deployment fault and stops us.
UNSTORABLE = (sa.exc.DataError, sa.exc.IntegrityError, ValueError)


RECONNECT_BACKOFF = Backoff(first=0.5, longest=30.0)


@dataclass(frozen=True)
class ConsumerOptions:
    """Batching and back-off; the defaults suit production, tests shorten the waits."""

    batch_size: int = 500
    batch_wait_seconds: float = 0.02
    idle_poll_seconds: float = 0.2
    backoff: Backoff = RECONNECT_BACKOFF


class EventLogConsumer:
    """Consumes every service's events into the global log until ``stop()`` is called."""

    def __init__(
        self,
        engine: Engine,
        amqp_uri: str,
        services: Iterable[str],
        producers: ProducerKeys,
        *,
        options: ConsumerOptions | None = None,
        checkpointer: Checkpointer | None = None,
    ) -> None:
        self._appender = EventLogAppender(engine)
        self.producers = producers
        self._checkpointer = checkpointer
        self._services = tuple(services)
        self._options = options or ConsumerOptions()
        parts = amqp_parameters(amqp_uri)
        self._parameters = pika.ConnectionParameters(
            host=str(parts["host"]),
            port=int(parts["port"]),
            virtual_host=str(parts["virtual_host"]),
            credentials=pika.PlainCredentials(str(parts["username"]), str(parts["password"])),
            heartbeat=30,
        )
        self._stop_requested = False  # a plain flag: set from signal handlers, so no locks
        self._consuming = False
        self._pending: list[tuple[Delivery, Envelope]] = []
        self._refused: list[tuple[Delivery, Refusal]] = []  # to quarantine with the batch
        self._settled_tag = 0  # highest dead-lettered delivery still to be acked
        self._batch_started = 0.0

    def stop(self) -> None:
        """Ask the loop to finish its current batch and return (safe in a signal handler)."""
        self._stop_requested = True

    def run(self) -> None:
        """Consume until stopped, reconnecting with back-off whenever the broker goes away."""
        pauses, announced = self._options.backoff.pauses(), False
        while not self._stop_requested:
            try:
                self._consume(reconnected=announced)
                return
            except BROKER_ERRORS as error:
                if self._consuming:  # an established connection was lost: start afresh
                    pauses, announced, self._consuming = (
                        self._options.backoff.pauses(),
                        False,
                        False,
                    )
                if not announced:
                    log.warning(
                        "eventlog.broker_unavailable",
                        error=f"{type(error).__name__}: {error}",
                        retry_backoff_max_seconds=self._options.backoff.longest,
                    )
                    announced = True
            self._pause(next(pauses))

    def _consume(self, *, reconnected: bool) -> None:
        connection = pika.BlockingConnection(self._parameters)
        try:
            channel = connection.channel()
            declare_event_log_topology(channel, self._services)
            channel.confirm_delivery()  # dead letters are acked only once the broker has them
            channel.basic_qos(prefetch_count=self._options.batch_size)
            channel.basic_consume(EVENT_LOG_QUEUE, self._on_message)
            self._consuming = True
            log.info("eventlog.consuming", queue=EVENT_LOG_QUEUE, reconnected=reconnected)
            while not self._stop_requested:
                connection.process_data_events(time_limit=self._time_left())
                if self._batch_due():
                    self._flush(connection, channel)
                if self._checkpointer is not None:
                    self._checkpointer.tick()
            self._flush(connection, channel)
        finally:
            # Unacked messages will be redelivered.
            self._pending, self._refused, self._settled_tag = [], [], 0
            if connection.is_open:
                # Already going away is fine: the broker requeues whatever was not acked.
                with contextlib.suppress(*BROKER_ERRORS):
                    connection.close()

    def _on_message(self, channel: Any, method: Any, properties: Any, body: bytes) -> None:
        delivery = Delivery(
            method.delivery_tag, method.exchange, method.routing_key, body, properties
        )
        if not self._has_work():
            self._batch_started = time.monotonic()
        try:
            envelope = read_envelope(body)
        except UnloggableMessageError as error:
            dead_letter(channel, delivery, str(error))
            self._settled_tag = max(self._settled_tag, delivery.delivery_tag)
            return
        user_id = getattr(delivery.properties, "user_id", None)
        refusal = screen(envelope, delivery.exchange, self.producers, user_id=user_id)
        if refusal is not None:
            self._refused.append((delivery, refusal))
        else:
            self._pending.append((delivery, envelope))

    def _has_work(self) -> bool:
        return bool(self._pending or self._refused or self._settled_tag)

    def _time_left(self) -> float:
        if not self._has_work():
            return self._options.idle_poll_seconds
        deadline = self._batch_started + self._options.batch_wait_seconds
        return max(0.0, deadline - time.monotonic())

    def _batch_due(self) -> bool:
        if len(self._pending) >= self._options.batch_size:
            return True
        return self._has_work() and self._time_left() == 0.0

    def _flush(self, connection: Any, channel: Any) -> None:
        if not self._has_work():
            return
        positions = self._append_pending(connection, channel)
        if positions is None:
            return  # stopping while the database is down: the broker will redeliver
        tags = [self._settled_tag] + [delivery.delivery_tag for delivery, _ in self._pending]
        tags += [delivery.delivery_tag for delivery, _ in self._refused]
        channel.basic_ack(delivery_tag=max(tags), multiple=True)
        duplicates = len(self._pending) - len(positions)
        self._pending, self._refused, self._settled_tag = [], [], 0
        if positions:
            log.info("eventlog.appended", count=len(positions), head=positions[-1])
            if self._checkpointer is not None:
                self._checkpointer.appended(len(positions))
        if duplicates:
            log.info("eventlog.duplicates_absorbed", count=duplicates)

    def _append_pending(self, connection: Any, channel: Any) -> list[int] | None:
        pauses, reported = self._options.backoff.pauses(), False
        while True:
            try:
                return self._store(channel)
            except DATABASE_DOWN as error:
                if self._stop_requested:
                    return None
                if not reported:
                    log.warning("eventlog.database_unavailable", error=type(error).__name__)
                    reported = True
                # Sleeping on the connection keeps heartbeats flowing while the database is away.
                connection.sleep(next(pauses))

    def _store(self, channel: Any) -> list[int]:
        refused = [refusal for _, refusal in self._refused]
        try:
            return self._appender.append_batch((e for _, e in self._pending), refused)
        except UNSTORABLE:
            pass
        try:
            self._appender.append_batch([], refused)
        except UNSTORABLE as error:  # cannot even be quarantined: park it with the broker
            for delivery, _ in self._refused:
                dead_letter(channel, delivery, type(error).__name__)
                self._settled_tag = max(self._settled_tag, delivery.delivery_tag)
            self._refused = []
        positions: list[int] = []
        for delivery, envelope in list(self._pending):
            try:
                positions += self._appender.append_batch([envelope])
            except UNSTORABLE as error:
                dead_letter(channel, delivery, type(error).__name__)
                self._settled_tag = max(self._settled_tag, delivery.delivery_tag)
                self._pending = [item for item in self._pending if item[0] is not delivery]
        return positions

    def _pause(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self._stop_requested and time.monotonic() < deadline:
            time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
