"""RPC for Gravity: refusals that keep their code, and requests and replies without confirms.

nameko turns unknown remote exceptions into a bare RemoteError (losing the arguments);
registering ``CommandRejected`` as deserialisable keeps ``code``, ``kind``, ``message`` and
``details`` intact, so the gateway can answer with a precise status and body.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from nameko.amqp.publish import Publisher
from nameko.constants import (
    AMQP_SSL_CONFIG_KEY,
    AMQP_URI_CONFIG_KEY,
    DEFAULT_SERIALIZER,
    LOGIN_METHOD_CONFIG_KEY,
    SERIALIZER_CONFIG_KEY,
)
from nameko.exceptions import deserialize_to_instance
from nameko.rpc import MethodProxy, Responder, Rpc, RpcConsumer, get_rpc_exchange

from shared.domain import DomainError


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


class _UnconfirmedPublisher(Publisher):  # type: ignore[misc]
    """Publishes without confirms and without ``mandatory``: without a confirm to wait for,
    a broker's asynchronous basic.return would surface on the *next* publish of the pooled
    channel and be blamed on the wrong call. An unroutable request times out instead."""

    use_confirms = False

    def publish(self, payload: Any, **kwargs: Any) -> None:
        kwargs["mandatory"] = False
        super().publish(payload, **kwargs)


class _UnconfirmedResponder(Responder):  # type: ignore[misc]
    publisher_cls = _UnconfirmedPublisher


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
        result, exc_info = responder.send_response(result, exc_info)
        self.queue_consumer.ack_message(message)
        return result, exc_info


class _Rpc(Rpc):  # type: ignore[misc]
    rpc_consumer = _RpcConsumer()


# RPC requests and replies travel without publisher confirms. A confirm is a broker round
# trip per message and cost about a fifth of the registration throughput here; it buys
# little for RPC, because the caller always waits with a timeout: a request or reply lost
# with a broker crash, or sent to a service that is down, surfaces as a timeout (503 at the
# gateway), and a retried POST is made safe by its Idempotency-Key. Events, which must never
# be lost, keep confirms (the outbox relay).
rpc = _Rpc.decorator


class _UnconfirmedMethodProxy(MethodProxy):  # type: ignore[misc]
    publisher_cls = _UnconfirmedPublisher


def unconfirmed_call(
    worker_ctx: Any, reply_listener: Any, service: str, method: str, *args: object
) -> object:
    """Call ``service.method(*args)`` and wait for the reply; the request goes without a
    confirm (see ``rpc``), so one sent to a service that is down times out."""
    return _UnconfirmedMethodProxy(worker_ctx, service, method, reply_listener)(*args)
