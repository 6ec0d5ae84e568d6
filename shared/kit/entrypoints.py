"""The nameko entrypoints of a service: one line per RPC method, one per consumed event type.

    register_student = command_rpc(RegisterStudent)
    on_student_screened = consume_event(StudentScreened, admission_for)

An RPC method parses its arguments with the command's contract and runs the handler through
the service's ``kit`` (``shared.kit.service``); any refusal crosses RPC as ``CommandRejected``
with its code. A consumed event is parsed with its contract, turned into a command (or
skipped) and run with an inbox claim, so a redelivery is a no-op.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from shared.contracts import CONTRACTS
from shared.contracts.records import Command, Event, Result
from shared.contracts.schemas import snake_case
from shared.events.envelope import Envelope
from shared.kit.privacy import opened
from shared.kit.service import ServiceRunner
from shared.logging import get_logger
from shared.messaging.inbox import reliable_event_handler
from shared.privacy.payloads import sealed_key_ids
from shared.rpc import CommandRejected, ServiceUnavailable, rpc

log = get_logger(__name__)
E = TypeVar("E", bound=Event)

PING_METHOD = "ping"


def readiness_ping() -> Callable[..., dict[str, str]]:
    """The RPC method the gateway's readiness check calls (``ping = readiness_ping()``): it
    answers as soon as the service's RPC consumer is up, and touches nothing else."""

    def entrypoint(self: Any) -> dict[str, str]:  # noqa: ARG001 - nameko passes the service
        return {"status": "up"}

    entrypoint.__name__ = entrypoint.__qualname__ = PING_METHOD
    decorated: Callable[..., dict[str, str]] = rpc(entrypoint)
    return decorated


def command_rpc(command_class: type[Command]) -> Callable[..., Result]:
    """The RPC method for one command: ``method(context, arguments)``."""
    if not command_class.exposed:
        raise ValueError(f"{command_class.__name__} is not exposed over RPC")

    def entrypoint(self: Any, context: object, arguments: object) -> Result:
        runner: ServiceRunner = self.kit
        return runner.execute(context, command_class, arguments)

    entrypoint.__name__ = entrypoint.__qualname__ = command_class.rpc_name
    expected = (CommandRejected, ServiceUnavailable)
    decorated: Callable[..., Result] = rpc(expected_exceptions=expected)(entrypoint)
    return decorated


def consume_event(
    event_class: type[E], command_for: Callable[[E], Command | None], *, opens: bool = True
) -> Callable[..., None]:
    """The handler of another service's event type: ``command_for(event)`` says what to do.

    Its sealed personal fields are opened first (docs/privacy.md); ``opens=False`` hands them
    on sealed, as received, to a handler that keeps them and opens them only when it reads
    them (``shared.privacy.fetching.open_kept_value``; the command's causation id names the
    event they were sealed in), so that consuming the event needs no key.

    A malformed envelope or a schema version this build does not know raises: the message is
    retried, then parked in the dead-letter queue for an operator to replay after an upgrade,
    rather than silently dropped.
    """
    event_type = event_class.__name__
    source = event_class.__module__.split(".")[2]  # shared.contracts.<service>.events

    def entrypoint(self: Any, body: object) -> None:
        envelope = Envelope.from_dict(body)
        if opens and sealed_key_ids([envelope]):  # fields to open: with this service's keys
            envelope = opened(self.kit.kit, envelope)
        event = CONTRACTS.to_event(envelope)
        assert isinstance(event, event_class)
        command = command_for(event)
        if command is None:
            log.info("event.skipped", event_type=event_type, event_id=envelope.event_id)
            return
        runner: ServiceRunner = self.kit
        runner.consume(envelope, command, f"{self.name}.on_{snake_case(event_type)}")

    entrypoint.__name__ = entrypoint.__qualname__ = f"on_{snake_case(event_type)}"
    decorated: Callable[..., None] = reliable_event_handler(source, event_type)(entrypoint)
    return decorated
