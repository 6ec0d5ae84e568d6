"""How a refused command crosses RPC: one exception type that keeps its code and details.

nameko turns unknown remote exceptions into a bare RemoteError (losing the arguments);
registering ``CommandRejected`` as deserialisable keeps ``error_type``, ``message`` and
``details`` intact, so the gateway can answer with a precise status and body.
"""

from __future__ import annotations

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
from nameko.rpc import Responder, Rpc, RpcConsumer, RpcProxy, get_rpc_exchange

from shared.domain import DomainError


@deserialize_to_instance
class CommandRejected(Exception):  # noqa: N818 - it is a verdict, not a crash
    """A domain rule refused a command; ``error_type`` is the domain error's class name."""

    def __init__(self, error_type: str, message: str, details: dict[str, Any] | None = None):
        super().__init__(error_type, message, details or {})
        self.error_type = error_type
        self.message = message
        self.details = details or {}

    @classmethod
    def from_domain_error(cls, error: DomainError) -> CommandRejected:
        return cls(type(error).__name__, error.message, error.details)


class _UnconfirmedPublisher(Publisher):  # type: ignore[misc]
    use_confirms = False


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
# trip per message and cost a fifth of the registration throughput here; it buys little for
# RPC, because the caller always waits with a timeout: a request or reply lost with a broker
# crash surfaces as a timeout (503 at the gateway), and a retried POST is made safe by its
# Idempotency-Key. Events, which must never be lost, keep confirms (the outbox relay).
rpc = _Rpc.decorator


def service_proxy(service_name: str) -> Any:
    """A nameko RpcProxy to another service, publishing without confirms (see ``rpc``)."""
    return RpcProxy(service_name, use_confirms=False)
