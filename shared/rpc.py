"""RPC for Gravity: refusals that keep their code, and requests and replies without confirms.

nameko turns unknown remote exceptions into a bare RemoteError (losing the arguments);
registering ``CommandRejected`` as deserialisable keeps ``code``, ``kind``, ``message`` and
``details`` intact, so the gateway can answer with a precise status and body.

A request lives only as long as its caller waits: it carries an AMQP ``expiration`` equal to
the caller's timeout and is not persistent, so a request whose caller gave up (a service that
was stopped, a queue that was long, a broker that restarted) is dropped by the broker instead
of being run minutes later. A reply that cannot be sent (the broker went away while the
command ran) is logged and dropped: its caller has timed out, and nameko would otherwise
treat the failure as fatal to the whole service.

A reply is as short-lived: it is not persistent either, and the caller takes it without an
acknowledgement, where it is read (``ReplyListener``): a reply lost with a broker or a caller
is one whose caller gets no answer, acknowledged or not.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

from kombu import Connection, Exchange
from kombu.common import maybe_declare
from kombu.entity import maybe_delivery_mode
from kombu.pools import ProducerPool, get_limit
from kombu.resource import Resource
from kombu.serialization import dumps
from nameko.amqp.publish import Publisher
from nameko.constants import (
    AMQP_SSL_CONFIG_KEY,
    AMQP_URI_CONFIG_KEY,
    DEFAULT_SERIALIZER,
    LOGIN_METHOD_CONFIG_KEY,
    NON_PERSISTENT,
    SERIALIZER_CONFIG_KEY,
)
from nameko.exceptions import IncorrectSignature, deserialize_to_instance
from nameko.messaging import QueueConsumer
from nameko.rpc import MethodProxy, Responder, Rpc, RpcConsumer, get_rpc_exchange
from nameko.rpc import ReplyListener as NamekoReplyListener

from shared.domain import DomainError
from shared.logging import get_logger

log = get_logger(__name__)

# A request that cannot reach the broker fails fast, so that the gateway answers 503 at once
# rather than after nameko's default retries (about 3 s, and its caller's whole timeout).
REQUEST_RETRY_POLICY = {"max_retries": 1, "interval_start": 0.1, "interval_step": 0.2}


@deserialize_to_instance
class CommandRejected(Exception):  # noqa: N818 - it is a verdict, not a crash
    """A domain rule refused a command: the error's ``code`` and ``kind``, its message and
    details, exactly as the client is to receive them."""

    def __init__(
        self, code: str, kind: str, message: str, details: Mapping[str, Any] | str | None = None
    ) -> None:
        # As it crossed the wire (see below), or as the service raised it.
        given: Mapping[str, Any] = (
            json.loads(details) if isinstance(details, str) else details or {}
        )
        self.code = code
        self.kind = kind
        self.message = message
        self.details: dict[str, Any] = dict(given)
        # nameko turns every value in an exception's args that is not a string, a list or a
        # dict into text, so a capacity of 2 would arrive as "2": the details travel as one
        # JSON text instead, and numbers, booleans and nulls arrive as they were sent.
        wire_details = json.dumps(self.details, ensure_ascii=False, default=str)
        super().__init__(code, kind, message, wire_details)

    @classmethod
    def from_domain_error(cls, error: DomainError) -> CommandRejected:
        return cls(error.code, str(error.kind), error.message, error.details)


@deserialize_to_instance
class ServiceUnavailable(Exception):  # noqa: N818 - the name the caller sees, like a status
    """The service could not act now for a reason that passes (its database is down, full or
    busy): nothing was done, and the same request may be sent again later."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


# kombu's producer pools by what nameko's ``get_producer`` keys them on. nameko builds a
# kombu Connection on every publish only to look its pool up (about 40 µs, once per RPC
# request in the gateway and once per reply in a service); the pool found is the same one.
_PRODUCER_POOLS: dict[tuple[str, str, object, tuple[tuple[str, object], ...]], Any] = {}


def _producer_pool(
    amqp_uri: str, ssl: object, login_method: object, transport_options: dict[str, object]
) -> Any:
    key = (amqp_uri, repr(ssl), login_method, tuple(sorted(transport_options.items())))
    pool = _PRODUCER_POOLS.get(key)
    if pool is None:
        connection = Connection(
            amqp_uri, transport_options=transport_options, ssl=ssl, login_method=login_method
        )
        pool = _PRODUCER_POOLS[key] = _KeptChannelProducers(
            connection.Pool(limit=get_limit()), limit=get_limit()
        )
    return pool


class _KeptChannelProducers(ProducerPool):  # type: ignore[misc] # kombu is untyped
    """kombu's producer pool, whose producers keep their connection and its channel between
    uses. kombu's hands a producer's connection back to the connection pool and forgets its
    channel on every release, so every acquire bound the producer to a channel again and
    copied its exchange (5-6% of the gateway's CPU: docs/performance.md, "Placement asks for
    a name instead of taking every registration"). A producer whose connection failed is
    revived by kombu's publish (``_published_on_open_channel`` hands it over) and keeps the
    new channel."""

    def release(self, resource: Any) -> None:
        Resource.release(self, resource)  # not ProducerPool's: the channel stays bound


class _UnconfirmedPublisher(Publisher):  # type: ignore[misc]
    """Publishes without confirms and without ``mandatory``: without a confirm to wait for,
    a broker's asynchronous basic.return would surface on the *next* publish of the pooled
    channel and be blamed on the wrong call. An unroutable request times out instead.

    nameko's ``Publisher.publish`` with the producer pool looked up once (above)."""

    use_confirms = False

    def publish(self, payload: Any, **kwargs: Any) -> None:
        publish_kwargs = dict(self.publish_kwargs)
        # As nameko merges them: the publisher's headers, then the call's, "extra" last.
        headers = dict(publish_kwargs.pop("headers", {}))
        headers.update(kwargs.pop("headers", {}))
        headers.update(kwargs.pop("extra_headers", {}))
        transport_options = {
            **kwargs.pop("transport_options", self.transport_options),
            "confirm_publish": False,
        }
        options = {
            name: kwargs.pop(name, getattr(self, name))
            for name in (
                "delivery_mode",
                "priority",
                "expiration",
                "serializer",
                "compression",
                "retry",
                "retry_policy",
            )
        }
        declare = [*self.declare, *kwargs.pop("declare", ())]
        kwargs.pop("use_confirms", None)
        kwargs.pop("mandatory", None)
        publish_kwargs.update(kwargs)
        pool = _producer_pool(self.amqp_uri, self.ssl, self.login_method, transport_options)
        with pool.acquire(block=True) as producer:
            sent = _published_on_open_channel(
                producer,
                payload,
                headers=headers,
                options=options,
                publish_kwargs=publish_kwargs,
                declare=declare,
            )
            if sent:
                return
            producer.publish(
                payload,
                headers=headers,
                mandatory=False,
                declare=declare,
                **options,
                **publish_kwargs,
            )


def _published_on_open_channel(
    producer: Any,
    payload: Any,
    *,
    headers: dict[str, Any],
    options: dict[str, Any],
    publish_kwargs: dict[str, Any],
    declare: list[Any],
) -> bool:
    """Publish as kombu's ``Producer.publish`` would, straight on the pooled producer's open
    channel; False (nothing sent) when the channel is not open, or the connection failed on
    the way: kombu's own publish then connects and retries as its retry policy says.

    The same message, properties and declarations as kombu's, without the machinery around
    them (a retry wrapper made per call, the exchange copied and bound to the channel again):
    155-162 µs of CPU a publish against 210-222 (docs/performance.md, "The RPC hop's
    publish on the open channel")."""
    connection = producer.connection
    if options["compression"] or connection is None or not connection.connected:
        return False
    channel = producer.channel  # the open connection's default channel
    exchange = publish_kwargs.get("exchange", "")
    if isinstance(exchange, Exchange):
        exchange_name, default_mode = exchange.name, exchange.delivery_mode
    else:
        exchange_name, default_mode = exchange, producer.exchange.delivery_mode
    properties = {
        name: value
        for name, value in publish_kwargs.items()
        if name not in {"exchange", "routing_key"}
    }
    properties["delivery_mode"] = maybe_delivery_mode(options["delivery_mode"] or default_mode)
    if options["expiration"] is not None:
        properties["expiration"] = str(int(options["expiration"] * 1000))
    content_type, content_encoding, body = dumps(
        payload, serializer=options["serializer"] or producer.serializer
    )
    try:
        declared = channel.connection.client.declared_entities
        for entity in declare:
            if entity.can_cache_declaration and hash(entity) in declared:
                continue
            maybe_declare(entity, channel)
        message = channel.prepare_message(
            body, options["priority"], content_type, content_encoding, headers, properties
        )
        channel.basic_publish(
            message,
            exchange=exchange_name,
            routing_key=publish_kwargs.get("routing_key", ""),
            mandatory=False,
        )
    except connection.recoverable_connection_errors:
        return False
    return True


class _RequestPublisher(_UnconfirmedPublisher):
    """Requests: transient, and failing fast when the broker is away (see the module)."""

    delivery_mode = NON_PERSISTENT
    retry_policy = REQUEST_RETRY_POLICY


class _ReplyPublisher(_UnconfirmedPublisher):
    """Replies: transient, as the requests (see the module)."""

    delivery_mode = NON_PERSISTENT


class _UnconfirmedResponder(Responder):  # type: ignore[misc]
    publisher_cls = _ReplyPublisher


class _ReplyQueueConsumer(QueueConsumer):  # type: ignore[misc]
    """Consumes a process's RPC replies without acknowledgements, on a connection of its own
    (a shared extension of its own class), and hands each over where it is read: handing one
    over is a dictionary lookup and an event, less than the green thread nameko spawned for
    it, and there is no acknowledgement to send back."""

    def get_consumers(self, consumer_cls: Any, channel: Any) -> Iterable[Any]:  # noqa: ARG002
        for provider in self._providers:
            self._consumers[provider] = consumer_cls(
                queues=[provider.queue],
                callbacks=[partial(self.handle_message, provider)],
                accept=self.accept,
                no_ack=True,
            )
        consumers: Iterable[Any] = self._consumers.values()
        return consumers

    def handle_message(self, provider: Any, body: Any, message: Any) -> None:
        provider.handle_message(body, message)


class ReplyListener(NamekoReplyListener):  # type: ignore[misc]
    """nameko's reply listener, its replies taken without acknowledgements (see the module)."""

    queue_consumer = _ReplyQueueConsumer()

    def handle_message(self, body: Any, message: Any) -> None:
        waiting = self._reply_events.pop(message.properties.get("correlation_id"), None)
        if waiting is not None:  # else its caller gave up, or the reply came twice
            waiting.send(body)


class _RpcConsumer(RpcConsumer):  # type: ignore[misc]
    """nameko's RPC consumer, replying without waiting for a publisher confirm."""

    def handle_result(self, message: Any, result: Any, exc_info: Any) -> tuple[Any, Any]:
        config = self.container.config
        responder = _UnconfirmedResponder(
            config[AMQP_URI_CONFIG_KEY],
            get_rpc_exchange(config),
            config.get(SERIALIZER_CONFIG_KEY, DEFAULT_SERIALIZER),
            message,
            ssl=config.get(AMQP_SSL_CONFIG_KEY),
            login_method=config.get(LOGIN_METHOD_CONFIG_KEY),
        )
        try:
            result, exc_info = responder.send_response(result, exc_info)
        except Exception as error:
            # The command's own outcome is committed (or refused) already; only the answer is
            # lost, and its caller has timed out by now (503, then a safe retry).
            log.warning(
                "rpc.reply_dropped",
                method=message.delivery_info.get("routing_key"),
                error_type=type(error).__name__,
            )
        try:
            self.queue_consumer.ack_message(message)
        except Exception as error:
            log.warning("rpc.ack_failed", error_type=type(error).__name__)
        return result, exc_info


class SignatureOnce:
    """An entrypoint mixin: nameko's ``check_signature`` with the method's signature read
    once, not on every call (``inspect.getcallargs`` reads it again each time: 17.5 against
    3.5 µs a check here, and every request to a service and to the gateway passes one)."""

    container: Any
    method_name: str
    _signature: inspect.Signature | None = None

    def check_signature(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        if self._signature is None:
            method = getattr(self.container.service_cls, self.method_name)
            # The method's own, as getcallargs reads it: not that of a function it wraps.
            self._signature = inspect.signature(method, follow_wrapped=False)
        try:
            self._signature.bind(None, *args, **kwargs)  # None: the unbound method's self
        except TypeError as exc:
            raise IncorrectSignature(str(exc)) from None


class _Rpc(SignatureOnce, Rpc):  # type: ignore[misc]
    rpc_consumer = _RpcConsumer()


# RPC requests and replies travel without publisher confirms. A confirm is a broker round
# trip per message and cost about a fifth of the registration throughput here; it buys
# little for RPC, because the caller always waits with a timeout: a request or reply lost
# with a broker crash, or sent to a service that is down, surfaces as a timeout (503 at the
# gateway), and a retried POST is made safe by its Idempotency-Key. Events, which must never
# be lost, keep confirms (the outbox relay).
rpc = _Rpc.decorator


class _UnconfirmedMethodProxy(MethodProxy):  # type: ignore[misc]
    publisher_cls = _RequestPublisher


def unconfirmed_call(
    worker_ctx: Any,
    reply_listener: Any,
    service: str,
    method: str,
    *args: object,
    expires_in: float | None = None,
) -> object:
    """Call ``service.method(*args)`` and wait for the reply; the request goes without a
    confirm (see ``rpc``), so one sent to a service that is down times out. ``expires_in``
    (the caller's timeout, in seconds) is how long the broker may keep the request queued."""
    options = {} if expires_in is None else {"expiration": expires_in}
    return _UnconfirmedMethodProxy(worker_ctx, service, method, reply_listener, **options)(*args)
