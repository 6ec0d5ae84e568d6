"""Consuming events without ever losing one (the inbox claim that makes a redelivery a
no-op is the unit of work's: ``UnitOfWork.claim``).

``reliable_event_handler`` replaces nameko's ``event_handler``, whose default acks and drops
a message whose handler raised. Its queue is a quorum queue with a delivery limit: a failing
handler's message is returned to the queue and retried, and on its last failure it is parked
in ``<queue>.dead-letter`` (via the ``gravity.dead-letters`` exchange) with its attempts, the
error's class and the time (``shared.messaging.parking``; should that fail, RabbitMQ parks it
after the limit), where an operator can inspect and replay it (``gravity dead-letters``).

Before any handler runs, the event must be authentic, as the event log demands: signed by a
key registered to the service it is consumed from, with a signature that holds, and delivered
through that service's exchange, and, where the service's broker user is registered
(``GRAVITY_<SERVICE>_BROKER_USER``), published by that user: the message's ``user_id``, which
RabbitMQ validates (``shared.events.producer_keys``). One that is not is never
handed to the service: it is parked at once with the reason, acked, and logged by id, type and
reason only (its payload may hold personal data).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from amqp.exceptions import AMQPError, NotFound
from kombu import Connection, Exchange, Queue
from kombu.exceptions import KombuError
from nameko.events import EventHandler

from shared.backoff import Backoff
from shared.config import CONFIG_KEY, Settings, load_settings
from shared.events.envelope import Envelope, MalformedEnvelopeError
from shared.events.producer_keys import ProducerKeys
from shared.logging import get_logger
from shared.messaging.parking import attempt_of, park
from shared.messaging.topology import DEAD_LETTER_EXCHANGE, dead_letter_queue, event_exchange

log = get_logger(__name__)

DEFAULT_DELIVERY_LIMIT = 5
# A process may start while the broker is down: its set-up waits for it, and says so.
DECLARE_BACKOFF = Backoff(first=0.5, longest=5.0)


def dead_letter_topology(queue_name: str) -> tuple[Exchange, Queue]:
    """The dead letters' exchange, and the queue parking ``queue_name``'s messages, bound to
    it; declaring the queue leaves the exchange alone (declare or check that first)."""
    exchange = Exchange(DEAD_LETTER_EXCHANGE, type="direct", durable=True)
    binding = Exchange(DEAD_LETTER_EXCHANGE, type="direct", no_declare=True)
    return exchange, Queue(
        dead_letter_queue(queue_name), exchange=binding, routing_key=queue_name, durable=True
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
        # The process bootstrap puts its settings in the container config; a container built
        # without them (a test's stand-in consumer) reads the configuration file, never nothing.
        gravity = self.container.config.get(CONFIG_KEY) or {}
        settings: Settings = gravity.get("settings") or load_settings()
        self.producers = ProducerKeys.from_settings(settings)
        declared: Any = getattr(self, "queue")  # noqa: B009 - set by nameko at setup
        name = declared.name
        self._declare_topology(name, declared.exchange)
        self.queue = Queue(
            name,
            # Made sure of above; declaring it again needs a right only its producer has.
            exchange=Exchange(declared.exchange.name, type="topic", no_declare=True),
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

    def handle_message(self, body: Any, message: Any) -> None:
        """Hand an authentic event to the service; park anything else with the reason."""
        reason, envelope = self._refusal(body, message)
        if reason is None:
            super().handle_message(body, message)
            return
        queue = self.queue.name
        log.warning(
            "consumer.refused_event",
            queue=queue,
            event_id=envelope.event_id if envelope else None,
            event_type=envelope.event_type if envelope else None,
            reason=reason,
        )
        try:
            park(self.container.config["AMQP_URI"], queue, message, 1, reason)
        except (OSError, KombuError, AMQPError) as error:
            # Not parked: returned, it is refused again and finally parked by the broker.
            log.warning("consumer.park_failed", queue=queue, error_type=type(error).__name__)
            self.queue_consumer.requeue_message(message)
            return
        self.queue_consumer.ack_message(message)

    def _refusal(self, body: Any, message: Any) -> tuple[str | None, Envelope | None]:
        try:
            envelope = Envelope.from_dict(body)
        except MalformedEnvelopeError:
            return "the message is not an event envelope", None
        if envelope.producer != self.source_service:
            return f"{envelope.producer}'s event in {self.source_service}'s queue", envelope
        exchange = str((message.delivery_info or {}).get("exchange") or "")
        if not exchange:
            # The default exchange is how ``gravity dead-letters replay`` returns a parked
            # message to this queue; the signature of the queue's source still decides.
            exchange = event_exchange(self.source_service)
        user_id = (message.properties or {}).get("user_id")
        reason = self.producers.refusal(envelope, exchange)
        return reason or self.producers.publisher_refusal(envelope, user_id), envelope

    def handle_message_processed(
        self, message: Any, result: Any = None, exc_info: Any = None
    ) -> None:
        """On the last failure the allowed (a return now would be dead-lettered by the
        broker), park the message with its attempts and the error's class instead."""
        attempts = attempt_of(message.headers)
        if exc_info is not None and attempts > self.delivery_limit:
            queue = self.queue.name
            try:
                park(
                    self.container.config["AMQP_URI"],
                    queue,
                    message,
                    attempts,
                    exc_info[0].__name__,
                )
            except (OSError, KombuError, AMQPError) as error:
                log.warning("consumer.park_failed", queue=queue, error_type=type(error).__name__)
            else:
                log.warning(
                    "consumer.parked", queue=queue, attempts=attempts, reason=exc_info[0].__name__
                )
                self.queue_consumer.ack_message(message)
                return
        super().handle_message_processed(message, result, exc_info)

    def _declare_topology(self, name: str, source: Exchange) -> None:
        """Make sure the dead-letter exchange and the source's exchange exist, and declare
        the dead-letter queue, waiting for a broker that is down."""
        exchange, parked = dead_letter_topology(name)

        def declare(connection: Connection) -> None:
            _ensure_exchange(connection, exchange)
            _ensure_exchange(connection, source)
            parked(connection.default_channel).declare()

        on_the_broker(
            self.container.config["AMQP_URI"], declare, "consumer.broker_unavailable", queue=name
        )


def on_the_broker(
    amqp_uri: str, work: Callable[[Connection], None], waiting: str, **about: object
) -> None:
    """Do ``work`` on a connection of its own, waiting for a broker that is down (a process
    may start before it) and logging ``waiting`` with ``about`` at each pause."""
    pauses = DECLARE_BACKOFF.pauses()
    while True:
        try:
            with Connection(amqp_uri, connect_timeout=5) as connection:
                work(connection)
            return
        except (OSError, KombuError, AMQPError) as error:
            pause = next(pauses)
            log.warning(waiting, **about, error_type=type(error).__name__, retry_in_seconds=pause)
            time.sleep(pause)


def _ensure_exchange(connection: Connection, exchange: Exchange) -> None:
    """The exchange exists already (``gravity broker-users`` declared the dead letters' and
    every producer's, and a producer's relay declares its own), or is declared here: a
    service's own broker user may only bind to these (``broker_users.py``), so a missing one
    is refused (403) and waited for; one machine's login with every right declares it."""
    try:
        exchange(connection.channel()).declare(passive=True)
    except NotFound:  # the broker closed that channel; declare it on another
        exchange(connection.channel()).declare()


reliable_event_handler = ReliableEventHandler.decorator
