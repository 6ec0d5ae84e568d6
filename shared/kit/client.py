"""The typed way to send a command to the service that owns it.

A caller builds a command (a typed dataclass: a wrong or missing argument fails mypy) and
``send``s it; the service and the RPC method follow from the command's class, so no method
name is ever spelt by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from amqp.exceptions import AMQPError
from kombu.exceptions import KombuError
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.extensions import DependencyProvider

from shared.contracts.records import Command, Result
from shared.messaging.broker_watch import BrokerUnavailableError, BrokerWatch, connect_probe
from shared.rpc import ReplyListener, unconfirmed_call

# What a request that could not be sent raises: the broker is away (a timeout is not this: it
# may just be a slow or stopped service).
_SEND_FAILURES = (OSError, KombuError, AMQPError)

RemoteCall = Callable[[str, str, dict[str, str], dict[str, object]], object]
"""``call(service, method, context, arguments)``: one RPC round trip."""


class UnexpectedReplyError(Exception):
    """A service answered with something other than a JSON object."""


class CommandSender:
    """Sends commands on behalf of one caller (its actor and correlation id go in ``context``)."""

    def __init__(self, call: RemoteCall) -> None:
        self._call = call

    def send(
        self,
        command: Command,
        context: Mapping[str, str],
        arguments: dict[str, object] | None = None,
    ) -> Result:
        """Send ``command`` (as ``arguments``, when the caller already made them)."""
        wire = command.arguments() if arguments is None else arguments
        reply = self._call(command.service, command.rpc_name, dict(context), wire)
        if not isinstance(reply, dict):
            raise UnexpectedReplyError(type(reply).__name__)
        return reply


class CommandClient(DependencyProvider):  # type: ignore[misc] # nameko is untyped
    """Injects a ``CommandSender`` that reaches every service over nameko RPC, requests
    without publisher confirms (see ``shared.rpc``).

    A request expires after the container's ``rpc_timeout`` (what its caller waits), and
    while the last request could not reach the broker, further ones fail at once with
    ``BrokerUnavailableError`` until a probe reaches it again (``shared.messaging.broker_watch``).
    """

    rpc_reply_listener = ReplyListener()

    def setup(self) -> None:
        config = self.container.config
        self.expires_in: float | None = config.get("rpc_timeout")
        self.broker = BrokerWatch(connect_probe(config[AMQP_URI_CONFIG_KEY]))

    def get_dependency(self, worker_ctx: Any) -> CommandSender:
        def call(
            service: str, method: str, context: dict[str, str], arguments: dict[str, object]
        ) -> object:
            if self.broker.known_down():
                raise BrokerUnavailableError("the broker is down")
            try:
                return unconfirmed_call(
                    worker_ctx,
                    self.rpc_reply_listener,
                    service,
                    method,
                    context,
                    arguments,
                    expires_in=self.expires_in,
                )
            except _SEND_FAILURES as error:
                self.broker.mark_down(error)
                raise

        return CommandSender(call)
